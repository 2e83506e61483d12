import { z } from "zod";
import { defineNode } from "../define";

export const spec = defineNode({
  type: "train-test-split",
  label: "Train/test split",
  stage: "split",
  description: "Shuffles rows with a seed and holds out a test fraction.",
  config: z.object({
    testFraction: z.number().gt(0).lt(1).default(0.2).meta({ title: "Test fraction" }),
    seed: z.number().int().default(42).meta({ title: "Seed" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: {
    train: { type: "dataset", label: "Train" },
    test: { type: "dataset", label: "Test" },
  },
  infer: ({ inputs }) => (inputs.dataset ? { outputs: { train: inputs.dataset, test: inputs.dataset } } : {}),
  summary: (config) => `test ${Math.round(config.testFraction * 100)}% · seed ${config.seed}`,
});
