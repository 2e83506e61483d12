import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode } from "../define";
import { inPlace, notNumeric, numberColumn, numberOf, pickColumns } from "../columns";

export interface Binning {
  column: string;
  /** Inner edges, ascending: bin i holds edges[i-1] <= x < edges[i]; below the first is bin 0, from the last up the last bin. */
  edges: number[];
}

/** The columns a config bins: the named ones, or every numeric feature column. */
export const binnedColumns = (columns: string[], cols: ColumnSchema[]) => pickColumns(cols, columns, notNumeric);

/** A value's bin: how many edges are at or below it (binary search over the ascending edges). */
export function binOf(edges: number[], x: number) {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inner edges from candidates: distinct and strictly inside the data's range, since a bin outside it would stay empty. */
export const innerEdges = (candidates: number[], min: number, max: number) => [...new Set(candidates)].filter((e) => e > min && e < max).sort((a, b) => a - b);

export const spec = defineNode({
  type: "bin",
  label: "Bin",
  stage: "feature",
  description:
    "Replaces numeric columns with their bin number, 0 to bins − 1: quantile bins hold about as many rows each, uniform bins are equally wide. Many repeated values can leave fewer bins. Missing values stay missing; at the endpoint, values beyond the training range fall in the first or last bin.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every numeric feature column (not the target, IDs or ignored columns).", widget: "columns" }),
    bins: z.number().int().min(2).max(1000).default(10).meta({ title: "Bins" }),
    strategy: z.enum(["quantile", "uniform"]).default("quantile").meta({ title: "Strategy" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { picked, errors } = binnedColumns(config.columns, cols);
    const binned = new Set(picked);
    return { errors, outputs: { dataset: inPlace(cols, (c) => (binned.has(c) ? [numberColumn(c, c.name, "integer", c.nullable)] : undefined)) } };
  },
  summary: (config) => `${config.bins} ${config.strategy} bins${config.columns.length ? ` · ${config.columns.join(", ")}` : ""}`,
  replay: ({ columns }: { columns: Binning[] }) => (row) => {
    for (const { column, edges } of columns) {
      const x = numberOf(row[column]);
      row[column] = x === null ? null : binOf(edges, x);
    }
  },
  reads: ({ columns }) => Object.fromEntries(columns.map(({ column }) => [column, [column]])),
});
