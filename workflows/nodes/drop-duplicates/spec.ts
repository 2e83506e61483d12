import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";

/** DuckDB's name for a Parquet row's position in its file, which says which occurrence is first. */
export const ROW_NUMBER_COLUMN = "file_row_number";
export const reservedMessage = `the column name '${ROW_NUMBER_COLUMN}' is reserved for finding first occurrences; rename the column first`;
export const noColumnsMessage = "every column is an ID or ignored; choose the columns to compare";

export const spec = defineNode({
  type: "drop-duplicates",
  label: "Drop duplicate rows",
  stage: "clean",
  description: "Keeps the first of rows that are equal in the chosen columns (missing values count as equal), in file order.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Compare on", description: "Empty means every column but identifiers and ignored ones.", widget: "columns" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    if (findColumn(cols, ROW_NUMBER_COLUMN)) {
      return { errors: [{ path: "inputs.dataset", message: reservedMessage }] };
    }
    const errors = config.columns.flatMap((name, i) =>
      findColumn(cols, name) ? [] : [{ path: `columns.${i}`, message: `column '${name}' is not in the input` }],
    );
    if (!comparedColumns(cols, config.columns).length) errors.push({ path: "columns", message: noColumnsMessage });
    return { errors, outputs: { dataset: cols } };
  },
  summary: (config) => (config.columns.length ? `on ${config.columns.join(", ")}` : "on every column"),
});

/**
 * The columns two rows must agree on to be duplicates. By default every column but identifiers
 * (an ID makes every row unique) and ignored ones; the target is compared, since rows that differ
 * only in their label are not the same example.
 */
export function comparedColumns(cols: ColumnSchema[], chosen: string[]): string[] {
  return chosen.length ? chosen : cols.filter((c) => c.role !== "id" && c.role !== "ignored").map((c) => c.name);
}
