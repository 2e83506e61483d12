import { z } from "zod";
import { defineNode, findColumn } from "../define";

export type FillValues = Record<string, number | string | boolean>;

export const spec = defineNode({
  type: "fill-missing",
  label: "Fill missing values",
  stage: "clean",
  description: "Replaces missing values with a constant or a statistic fitted on this data.",
  config: z.object({
    strategy: z.enum(["constant", "mean", "median"]).default("constant").meta({ title: "Strategy" }),
    value: z.number().default(0).meta({ title: "Constant (numeric columns)" }),
    textValue: z.string().default("missing").meta({ title: "Constant (text columns)" }),
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every column with missing values.", widget: "columns" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors = config.columns.flatMap((name, i) => {
      const col = findColumn(cols, name);
      if (!col) return [{ path: `columns.${i}`, message: `column '${name}' is not in the input` }];
      if (config.strategy !== "constant" && col.type !== "number")
        return [{ path: `columns.${i}`, message: `column '${name}' is ${col.type}; ${config.strategy} needs numbers` }];
      return [];
    });
    const targeted = new Set(config.columns.length ? config.columns : cols.map((c) => c.name));
    const filled = (c: (typeof cols)[number]) =>
      targeted.has(c.name) && (config.strategy === "constant" || c.type === "number");
    return { errors, outputs: { dataset: cols.map((c) => (filled(c) ? { ...c, nullable: false } : c)) } };
  },
  summary: (config) => (config.strategy === "constant" ? `constant ${config.value}` : config.strategy),
  // The values fitted on the training data fill the same gaps in request rows.
  replay: ({ values }: { values: FillValues }) => {
    const entries = Object.entries(values);
    return (row) => {
      for (const [col, v] of entries) if (row[col] === null || row[col] === undefined) row[col] = v;
    };
  },
});
