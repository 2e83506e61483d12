import { z } from "zod";
import { defineNode, type Panel } from "../define";

/** Chart data evaluate stores beside its scores (metrics.ts computes it; `present` draws it). */
export interface Curve {
  label: string;
  x: number[];
  y: number[];
}

export interface ClassificationCharts {
  confusion?: { labels: string[]; counts: number[][] };
  roc?: Curve[];
  pr?: Curve[];
  calibration?: Curve;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
}

export interface RegressionCharts {
  /** A sample of (predicted, residual) pairs. */
  residuals: { x: number[]; y: number[] };
}

/** The scores worth a glance on the node card; the run page shows every value. */
const HEADLINE = ["accuracy", "f1_macro", "roc_auc", "rmse", "r2"];

const pct = (v: number) => Number(v.toFixed(4));

/** The run page's charts from the report evaluate stored beside its scores. */
function chartPanels(report: ClassificationCharts | RegressionCharts): Panel[] {
  if ("residuals" in report) {
    return [{ kind: "scatter", title: "Residuals", xLabel: "predicted", yLabel: "actual − predicted", ...report.residuals }];
  }
  const panels: Panel[] = [
    {
      kind: "table",
      title: "Per class",
      columns: ["class", "precision", "recall", "F1", "support"],
      rows: report.perClass.map((c) => [c.label, pct(c.precision), pct(c.recall), pct(c.f1), c.support]),
    },
  ];
  if (report.confusion) panels.push({ kind: "matrix", title: "Confusion matrix (rows: actual, columns: predicted)", ...report.confusion });
  if (report.roc) panels.push({ kind: "curves", title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate", curves: report.roc, diagonal: true });
  if (report.pr) panels.push({ kind: "curves", title: "Precision–recall", xLabel: "recall", yLabel: "precision", curves: report.pr });
  if (report.calibration) panels.push({ kind: "curves", title: "Calibration", xLabel: "mean predicted probability", yLabel: "observed rate", curves: [report.calibration], diagonal: true });
  return panels;
}

export const spec = defineNode({
  type: "evaluate",
  label: "Evaluate",
  stage: "evaluate",
  description:
    "Scores a model on held-out rows as scikit-learn defines the metrics: accuracy, precision, recall and F1 (macro and weighted), ROC AUC, average precision, log loss, confusion matrix and curves for classifiers; RMSE, MAE, R² and residuals for regressors. The test set may come before or after the cleaning and feature steps: the ones it has not been through are replayed as the endpoint would.",
  config: z.object({}),
  inputs: {
    model: { type: "model", label: "Model" },
    test: { type: "dataset", label: "Test set" },
  },
  outputs: { metrics: { type: "metrics", label: "Metrics" } },
  present: ({ metrics, outputs }) => {
    if (!metrics) return [];
    const panels: Panel[] = [{ kind: "metrics", title: "Held-out scores", values: metrics, headline: HEADLINE.filter((k) => k in metrics) }];
    const out = outputs?.metrics;
    if (out?.kind === "metrics" && out.report) panels.push(...chartPanels(out.report as ClassificationCharts | RegressionCharts));
    return panels;
  },
});
