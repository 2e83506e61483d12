import { z } from "zod";
import { defineNode, findColumn } from "../define";

/** The engine numbers rows under this name while splitting; an input column may not use it. */
export const ROW_NUMBER_COLUMN = "file_row_number";

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
  infer: ({ inputs }) => {
    if (!inputs.dataset) return {};
    if (findColumn(inputs.dataset, ROW_NUMBER_COLUMN)) {
      return { errors: [{ path: "inputs.dataset", message: `the column name '${ROW_NUMBER_COLUMN}' is reserved by the split; rename the column before splitting` }] };
    }
    return { outputs: { train: inputs.dataset, test: inputs.dataset } };
  },
  summary: (config) => `test ${Math.round(config.testFraction * 100)}% · seed ${config.seed}`,
});
