import { z } from "zod";
import { defineNode } from "../spec";

export const evaluateSpec = defineNode({
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
});
