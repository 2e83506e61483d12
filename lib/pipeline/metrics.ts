/** Which way a metric is better, by its name: shared by the model page, run lists and run comparison. */

/** Losses and errors (RMSE, MAE, log loss, Brier, seconds): lower is better. */
export const lowerIsBetter = (metric: string) => /(^|_)(rmse|mae|mse|log_?loss|brier|error|loss|seconds)(_|$)/.test(metric);

/** Counts (rows, trees, classes) are neither better nor worse. */
export const isCount = (metric: string) => /(^|_)(rows|count|trees|classes)$/.test(metric);
