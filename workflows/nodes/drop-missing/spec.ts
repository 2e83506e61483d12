import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";

export const spec = defineNode({
  type: "drop-missing",
  label: "Drop rows with missing values",
  stage: "clean",
  description: "Removes every row that has a missing value in the chosen columns.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means any column but identifiers and ignored ones.", widget: "columns" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors = config.columns.flatMap((name, i) =>
      findColumn(cols, name) ? [] : [{ path: `columns.${i}`, message: `column '${name}' is not in the input` }],
    );
    const checked = new Set(checkedColumns(cols, config.columns));
    return { errors, outputs: { dataset: cols.map((c) => (checked.has(c.name) ? { ...c, nullable: false } : c)) } };
  },
  summary: (config) => (config.columns.length ? `missing in ${config.columns.join(", ")}` : "missing in any column"),
});

/**
 * The columns whose gaps drop a row. By default every column but identifiers and ignored ones
 * (a missing ID or a column the user set aside says nothing about the row); the target is
 * included, since a row without a label cannot train a model.
 */
export function checkedColumns(cols: ColumnSchema[], chosen: string[]): string[] {
  return chosen.length ? chosen : cols.filter((c) => c.role !== "id" && c.role !== "ignored").map((c) => c.name);
}
