import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { isFeature, targetColumn } from "../columns";
import { defineNode, findColumn } from "../define";

export type FillValues = Record<string, number | string | boolean>;

const fillStrategies = ["constant", "mean", "median", "most_frequent"] as const;
export type FillStrategy = (typeof fillStrategies)[number];
const statistics = new Set<FillStrategy>(["mean", "median"]);


/**
 * The columns a config fills, each with its strategy: the named ones (or every column with gaps
 * whose role is feature), never the target, with per-column overrides. Mean and median apply to
 * numeric columns; a text column under them, or a boolean under a constant, takes its most
 * frequent value instead.
 */
export function plan(config: { strategy: FillStrategy; textStrategy: "constant" | "most_frequent"; columns: string[]; perColumn: Record<string, FillStrategy | "leave">; target: string }, cols: ColumnSchema[]) {
  const target = targetColumn(config.target, cols);
  const chosen = config.columns.length ? config.columns : cols.filter((c) => c.nullable && isFeature(c) && c.name !== target).map((c) => c.name);
  const names = new Set([...chosen, ...Object.keys(config.perColumn)]);
  const out: { column: ColumnSchema; strategy: FillStrategy }[] = [];
  for (const name of names) {
    const column = findColumn(cols, name);
    const override = config.perColumn[name];
    if (!column || name === target || override === "leave") continue;
    let strategy: FillStrategy = override ?? (column.type === "number" ? config.strategy : config.textStrategy);
    if (statistics.has(strategy) && column.type !== "number") strategy = "most_frequent";
    // A boolean has no constant spelled like the text one: its most frequent value fills it.
    if (strategy === "constant" && column.type === "boolean") strategy = "most_frequent";
    out.push({ column, strategy });
  }
  return { target, fills: out };
}

export const spec = defineNode({
  type: "fill-missing",
  label: "Fill missing values",
  stage: "clean",
  description:
    "Replaces missing values with a constant or a statistic fitted on this data (mean, median, most frequent). The target is never filled: rows with a missing target are dropped, or the node fails.",
  config: z.object({
    strategy: z.enum(fillStrategies).default("constant").meta({ title: "Numeric columns", description: "constant, or a statistic fitted on this data" }),
    value: z.number().default(0).meta({ title: "Constant (numeric columns)", visibleWhen: [{ strategy: ["constant"] }, { perColumn: ["constant"] }] }),
    textStrategy: z.enum(["constant", "most_frequent"]).default("constant").meta({ title: "Text and boolean columns" }),
    textValue: z.string().default("missing").meta({ title: "Constant (text columns)", visibleWhen: [{ textStrategy: ["constant"] }, { perColumn: ["constant"] }] }),
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every feature column with missing values (not the target, IDs or ignored columns).", widget: "columns" }),
    perColumn: z
      .record(z.string(), z.enum([...fillStrategies, "leave"]))
      .default({})
      .meta({ title: "Per column", description: "A strategy for one column, or leave its gaps", widget: "column-map" }),
    target: z.string().default("").meta({ title: "Target column", description: "Never filled. Empty means the column the dataset marks as its target.", widget: "column" }),
    missingTarget: z
      .enum(["drop", "fail"])
      .default("drop")
      .meta({ title: "Rows with a missing target", description: "drop them (counted on the run page), or fail the run" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const target = targetColumn(config.target, cols);
    const errors: { path: string; message: string }[] = [];
    if (config.target && !findColumn(cols, config.target)) errors.push({ path: "target", message: `column '${config.target}' is not in the input` });
    config.columns.forEach((name, i) => {
      if (!findColumn(cols, name)) errors.push({ path: `columns.${i}`, message: `column '${name}' is not in the input` });
      else if (name === target) errors.push({ path: `columns.${i}`, message: `'${name}' is the target; it is never filled (rows without one are dropped or refused)` });
    });
    for (const [name, strategy] of Object.entries(config.perColumn)) {
      const col = findColumn(cols, name);
      if (!col) errors.push({ path: `perColumn.${name}`, message: `column '${name}' is not in the input` });
      else if (name === target) errors.push({ path: `perColumn.${name}`, message: `'${name}' is the target; it is never filled` });
      else if ((strategy === "mean" || strategy === "median") && col.type !== "number")
        errors.push({ path: `perColumn.${name}`, message: `'${name}' is ${col.kind ?? col.type}: a ${strategy} needs numbers (use most frequent or constant)` });
    }
    const filled = new Set(plan(config, cols).fills.map((f) => f.column.name));
    return { errors, outputs: { dataset: cols.map((c) => (filled.has(c.name) || c.name === target ? { ...c, nullable: false } : c)) } };
  },
  summary: (config) => {
    const num = config.strategy === "constant" ? `constant ${config.value}` : config.strategy.replace("_", " ");
    const overrides = Object.keys(config.perColumn).length;
    return overrides ? `${num} · ${overrides} per column` : num;
  },
  // The values fitted on the training data fill the same gaps in request rows.
  replay: ({ values }: { values: FillValues }) => {
    const entries = Object.entries(values);
    return (row) => {
      for (const [col, v] of entries) if (row[col] === null || row[col] === undefined) row[col] = v;
    };
  },
});
