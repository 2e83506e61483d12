import { z } from "zod";
import { defineNode, type Panel } from "../define";

/** The scores worth a glance on the node card; the run page shows every value. */
const HEADLINE = ["accuracy", "f1_macro", "rmse", "r2"];

export const spec = defineNode({
  type: "evaluate",
  label: "Evaluate",
  stage: "evaluate",
  description: "Scores a model on held-out data: accuracy and F1 for classifiers, RMSE, MAE and R² for regressors.",
  config: z.object({}),
  inputs: {
    model: { type: "model", label: "Model" },
    test: { type: "dataset", label: "Test set" },
  },
  outputs: { metrics: { type: "metrics", label: "Metrics" } },
  present: ({ metrics }) => {
    if (!metrics) return [];
    const panels: Panel[] = [{ kind: "metrics", title: "Held-out scores", values: metrics, headline: HEADLINE.filter((k) => k in metrics) }];
    return panels;
  },
});
