import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode } from "../define";
import { inPlace, notNumeric, numberColumn, numberOf, pickColumns } from "../columns";

/** What scaling fitted for one column: its mean and population standard deviation, or its range. */
export type Scaling = { column: string; mean: number; std: number } | { column: string; min: number; max: number };

/** The columns a config scales: the named ones, or every numeric feature column. */
export const scaledColumns = (columns: string[], cols: ColumnSchema[]) => pickColumns(cols, columns, notNumeric);

/** One value scaled, as the SQL does it; a constant column (no spread) scales to 0. */
function scaleValue(s: Scaling, x: number) {
  if ("mean" in s) return s.std === 0 ? 0 : (x - s.mean) / s.std;
  return s.max === s.min ? 0 : (x - s.min) / (s.max - s.min);
}

export const spec = defineNode({
  type: "scale",
  label: "Scale",
  stage: "feature",
  description:
    "Rescales numeric columns: standard = (x − mean) / standard deviation (population, as scikit-learn's StandardScaler), min-max = (x − min) / (max − min), fitted on this data. A constant column becomes 0; missing values stay missing.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every numeric feature column (not the target, IDs or ignored columns).", widget: "columns" }),
    method: z.enum(["standard", "min-max"]).default("standard").meta({ title: "Method" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { picked, errors } = scaledColumns(config.columns, cols);
    const scaled = new Set(picked);
    return { errors, outputs: { dataset: inPlace(cols, (c) => (scaled.has(c) ? [numberColumn(c, c.name, "float", c.nullable)] : undefined)) } };
  },
  summary: (config) => `${config.method}${config.columns.length ? ` · ${config.columns.join(", ")}` : ""}`,
  replay: ({ columns }: { columns: Scaling[] }) => (row) => {
    for (const s of columns) {
      const x = numberOf(row[s.column]);
      row[s.column] = x === null ? null : scaleValue(s, x);
    }
  },
  reads: ({ columns }) => Object.fromEntries(columns.map(({ column }) => [column, [column]])),
});
