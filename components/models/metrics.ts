/** Scores worth a column or a glance, in this order (the rest are on a model's page and run page). */
export const HEADLINE_METRICS = ["accuracy", "f1_macro", "roc_auc", "log_loss", "rmse", "mae", "r2", "oob_accuracy", "oob_r2"];


/** "accuracy 0.875 · f1_macro 0.874": a version's headline scores in one line. */
export const headline = (metrics: Record<string, number> | null | undefined, digits = 3) =>
  HEADLINE_METRICS.filter((m) => metrics?.[m] !== undefined)
    .map((m) => `${m} ${metrics![m]!.toFixed(digits)}`)
    .join(" · ");
