import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode } from "../define";
import { inPlace, notNumeric, numberColumn, numberOf, pickColumns } from "../columns";

/**
 * The columns a config names, checked; none named means every numeric feature column, of which
 * the executor takes those without negative values (only the data can tell).
 */
export const namedColumns = (columns: string[], cols: ColumnSchema[]) => pickColumns(cols, columns, notNumeric);

/** ln(1 + x) as the SQL computes it (DuckDB has no log1p), so that the endpoint gives the same number. */
const log1p = (x: number) => Math.log(1 + x);

export const spec = defineNode({
  type: "log-transform",
  label: "Log transform",
  stage: "feature",
  description:
    "Replaces numeric columns with ln(1 + x), which pulls in long right tails (prices, counts). A negative value in a chosen column fails the run; at the endpoint it counts as missing.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every numeric feature column with no negative value (not the target, IDs or ignored columns).", widget: "columns" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { picked, errors } = namedColumns(config.columns, cols);
    // Without a choice, which columns change depends on the data: all keep their names and type.
    const changed = new Set(config.columns.length ? picked : []);
    return { errors, outputs: { dataset: inPlace(cols, (c) => (changed.has(c) ? [numberColumn(c, c.name, "float", c.nullable)] : undefined)) } };
  },
  summary: (config) => (config.columns.length ? `ln(1 + x) · ${config.columns.join(", ")}` : "ln(1 + x) · non-negative features"),
  replay: ({ columns }: { columns: string[] }) => (row) => {
    for (const column of columns) {
      const x = numberOf(row[column]);
      row[column] = x === null || x < 0 ? null : log1p(x);
    }
  },
  reads: ({ columns }) => Object.fromEntries(columns.map((column) => [column, [column]])),
});
