import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";
import { inPlace, isCategorical, notText, numberColumn, pickColumns, type Problem, targetColumn } from "../columns";

/** Folds of the out-of-fold fit (fewer when there are fewer rows). */
export const FOLDS = 5;
/** Classes a multi-class target may have: each adds a column per encoded column. */
export const MAX_CLASSES = 50;

export type Label = string | number | boolean;

export interface TargetEncoding {
  column: string;
  /** The columns written: the column itself (regression, binary), or `<column>:<class>` per class. */
  outputs: string[];
  categories: string[];
  /** Per category, one encoding per output: fitted on every training row. */
  values: number[][];
  /** A category not seen in training: the target's mean (or each class's share) over every row. */
  prior: number[];
}

export interface TargetEncodeParams {
  target: string;
  /** The target's classes in sort order (the last is the positive one of two); null for regression. */
  classes: Label[] | null;
  columns: TargetEncoding[];
}

/** The target a config names, or the column the dataset marks as its target. */

/**
 * What a config encodes, checked against the columns: the target, the task (auto: regression
 * for a numeric target), and the columns (the named ones, or every categorical feature column).
 */
export function plan(config: { columns: string[]; target: string; task: "auto" | "classification" | "regression" }, cols: ColumnSchema[]) {
  const errors: Problem[] = [];
  const target = findColumn(cols, targetColumn(config.target, cols));
  if (config.target && !target) errors.push({ path: "target", message: `column '${config.target}' is not in the input` });
  else if (!target) errors.push({ path: "target", message: "choose the target column (no column has the role target)" });
  const task = config.task === "auto" ? (target?.type === "number" ? "regression" : "classification") : config.task;
  if (target && task === "regression" && target.type !== "number") {
    errors.push({ path: "task", message: `regression needs a numeric target; '${target.name}' is ${target.type}` });
  }
  const isTarget = (c: ColumnSchema) => c.name === target?.name;
  const chosen = pickColumns(cols, config.columns, (c) => (isTarget(c) ? "is the target" : notText(c)), (c) => isCategorical(c) && !isTarget(c));
  return { target, task, picked: chosen.picked, errors: [...errors, ...chosen.errors] };
}

export const spec = defineNode({
  type: "target-encode",
  label: "Target encode",
  stage: "feature",
  placement: "train-side",
  description:
    "Replaces each text column with the smoothed mean of the target for its value: for regression the target's mean, for two classes the share of the positive class (the larger label in sort order: true, yes, 1), for more classes one column <column>:<class> per class. Training rows are encoded out of fold (5 seeded folds), so a row's own target never shapes its value; the endpoint uses every row. A missing value stays missing; one not seen in training gets the overall mean. Connect it after the split, to its Train output: before a train/test split it is refused.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every categorical feature column (not the target, IDs or ignored columns).", widget: "columns" }),
    target: z.string().default("").meta({ title: "Target column", description: "Empty means the column the dataset marks as its target.", widget: "column" }),
    task: z
      .enum(["auto", "classification", "regression"])
      .default("auto")
      .meta({ title: "Task", description: "auto: regression for a numeric target, classification otherwise (set classification for numbered classes)" }),
    smoothing: z
      .number()
      .min(0)
      .default(10)
      .meta({ title: "Smoothing", description: "Rows' worth of weight on the overall mean: rare values lean towards it" }),
    seed: z.number().int().default(42).meta({ title: "Seed", description: "Decides the folds" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { target, task, picked, errors } = plan(config, cols);
    const encoded = new Set(picked);
    if (!encoded.size) return { errors, outputs: { dataset: cols } };
    // More than two classes give a column per class, which only the data can tell: unknown until then.
    if (task === "classification" && target?.type !== "boolean") return { errors };
    return { errors, outputs: { dataset: inPlace(cols, (c) => (encoded.has(c) ? [numberColumn(c, c.name, "float", c.nullable)] : undefined)) } };
  },
  summary: (config) => `${config.columns.length ? config.columns.join(", ") : "categorical features"} → ${config.target || "target"}`,
  replay: ({ columns }: TargetEncodeParams) => {
    const encoders = columns.map((e) => ({ ...e, index: new Map(e.categories.map((v, i) => [v, i])) }));
    return (row) => {
      for (const { column, outputs, values, prior, index } of encoders) {
        const v = row[column];
        delete row[column];
        const missing = v === null || v === undefined;
        const at = typeof v === "string" ? index.get(v) : undefined;
        const encoding = at === undefined ? prior : values[at]!;
        outputs.forEach((name, k) => {
          row[name] = missing ? null : encoding[k]!;
        });
      }
    };
  },
  reads: ({ columns }) => Object.fromEntries(columns.flatMap(({ column, outputs }) => outputs.map((name) => [name, [column]]))),
});
