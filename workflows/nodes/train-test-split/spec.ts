import { z } from "zod";
import { MAX_CLASSES_OF_NUMBERS, targetColumn } from "../columns";
import { defineNode, findColumn } from "../define";

/** The engine numbers rows under this name while splitting; an input column may not use it. */
export const ROW_NUMBER_COLUMN = "file_row_number";


const TIME_KINDS = new Set(["date", "datetime", "time", "integer", "float"]);


export const spec = defineNode({
  type: "train-test-split",
  label: "Train/test split",
  stage: "split",
  placement: "holds-out",
  description:
    "Holds out a test fraction: at random with a seed (stratified by the target's classes, so each class keeps its share), or the latest rows by a time column.",
  config: z.object({
    method: z.enum(["random", "time"]).default("random").meta({ title: "Method", description: "random, or time: the latest rows are the test set" }),
    testFraction: z.number().gt(0).lt(1).default(0.2).meta({ title: "Test fraction" }),
    seed: z.number().int().default(42).meta({ title: "Seed", visibleWhen: { method: ["random"] } }),
    stratify: z
      .enum(["auto", "yes", "no"])
      .default("auto")
      .meta({ title: "Stratify by the target", description: `auto: when the target has classes (text, boolean, or at most ${MAX_CLASSES_OF_NUMBERS} distinct numbers)`, visibleWhen: { method: ["random"] } }),
    target: z.string().default("").meta({ title: "Target column", description: "Empty means the column the dataset marks as its target.", widget: "column", visibleWhen: { method: ["random"], stratify: ["auto", "yes"] } }),
    timeColumn: z
      .string()
      .default("")
      .meta({ title: "Time column", description: "For the time method: a date, timestamp or number", widget: "column", kinds: ["date", "datetime", "time", "integer", "float"], visibleWhen: { method: ["time"] } }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: {
    train: { type: "dataset", label: "Train" },
    test: { type: "dataset", label: "Test" },
  },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    if (findColumn(cols, ROW_NUMBER_COLUMN)) {
      return { errors: [{ path: "inputs.dataset", message: `the column name '${ROW_NUMBER_COLUMN}' is reserved by the split; rename the column before splitting` }] };
    }
    const errors: { path: string; message: string }[] = [];
    if (config.target && !findColumn(cols, config.target)) errors.push({ path: "target", message: `column '${config.target}' is not in the input` });
    if (config.method === "random" && config.stratify === "yes" && !targetColumn(config.target, cols)) {
      errors.push({ path: "target", message: "choose the column to stratify by (the dataset marks no target)" });
    }
    if (config.method === "time") {
      const t = findColumn(cols, config.timeColumn);
      if (!config.timeColumn) errors.push({ path: "timeColumn", message: "choose the column that orders rows in time" });
      else if (!t) errors.push({ path: "timeColumn", message: `column '${config.timeColumn}' is not in the input` });
      else if (!TIME_KINDS.has(t.kind ?? (t.type === "number" ? "float" : "text")))
        errors.push({ path: "timeColumn", message: `column '${t.name}' is ${t.kind ?? t.type}; a time split needs a date, timestamp, time or number` });
    }
    return { errors, outputs: { train: cols, test: cols } };
  },
  summary: (config) =>
    config.method === "time"
      ? `latest ${Math.round(config.testFraction * 100)}% by ${config.timeColumn || "…"}`
      : `test ${Math.round(config.testFraction * 100)}% · seed ${config.seed}${config.stratify === "no" ? "" : " · stratified"}`,
});
