import { z } from "zod";
import { defineNode, findColumn } from "../spec";

export const randomForestSpec = defineNode({
  type: "random-forest",
  label: "Random forest",
  stage: "train",
  description: "Trains a random forest classifier or regressor.",
  config: z.object({
    task: z.enum(["classification", "regression"]).default("classification").meta({ title: "Task" }),
    target: z.string().min(1, "target is required").default("target").meta({ title: "Target column", widget: "column" }),
    features: z
      .array(z.string())
      .default([])
      .meta({ title: "Feature columns", description: "Empty means every other numeric column.", widget: "columns" }),
    nEstimators: z.number().int().min(1).max(1000).default(100).meta({ title: "Trees" }),
    maxDepth: z.number().int().min(1).max(64).default(12).meta({ title: "Max depth" }),
    maxFeatures: z.number().gt(0).max(1).default(1).meta({ title: "Feature fraction per tree" }),
    seed: z.number().int().default(42).meta({ title: "Seed" }),
  }),
  inputs: { train: { type: "dataset", label: "Train set" } },
  outputs: { model: { type: "model", label: "Model" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.train;
    if (!cols) return {};
    const errors: { path: string; message: string }[] = [];
    const target = findColumn(cols, config.target);
    if (!target) errors.push({ path: "target", message: `column '${config.target}' is not in the input` });
    else if (config.task === "regression" && target.type !== "number")
      errors.push({ path: "target", message: `regression needs a numeric target; '${config.target}' is ${target.type}` });
    config.features.forEach((name, i) => {
      const col = findColumn(cols, name);
      if (!col) errors.push({ path: `features.${i}`, message: `column '${name}' is not in the input` });
      else if (col.type !== "number") errors.push({ path: `features.${i}`, message: `column '${name}' is ${col.type}, not numeric` });
      else if (name === config.target) errors.push({ path: `features.${i}`, message: `'${name}' is the target` });
    });
    return { errors };
  },
});

/** The feature columns a config selects from the training columns. */
export function selectFeatures(config: { target: string; features: string[] }, cols: { name: string; type: string }[]) {
  return config.features.length
    ? config.features
    : cols.filter((c) => c.type === "number" && c.name !== config.target).map((c) => c.name);
}
