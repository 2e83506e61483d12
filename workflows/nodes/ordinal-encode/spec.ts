import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode } from "../define";
import { inPlace, isCategorical, notText, numberColumn, pickColumns } from "../columns";

/** Codes kept per column: each value is stored with the model, so a column of IDs is refused. */
export const MAX_CODES = 10_000;

export interface OrdinalColumn {
  column: string;
  /** The values in code order: a value's code is its index. */
  categories: string[];
}

/** The columns a config encodes: the named ones, or every categorical feature column. */
export const encodedColumns = (columns: string[], cols: ColumnSchema[]) => pickColumns(cols, columns, notText, isCategorical);

export const spec = defineNode({
  type: "ordinal-encode",
  label: "Ordinal encode",
  stage: "feature",
  description: "Replaces each text column with an integer code per value (0, 1, 2 …). A missing value, or one not seen in training, has no code (missing).",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every categorical feature column (not the target, IDs or ignored columns).", widget: "columns" }),
    order: z
      .enum(["frequency", "alphabetical"])
      .default("frequency")
      .meta({ title: "Code order", description: "frequency: 0 is the most frequent value; alphabetical: by character codes (A–Z before a–z)" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { picked, errors } = encodedColumns(config.columns, cols);
    const encoded = new Set(picked);
    return { errors, outputs: { dataset: inPlace(cols, (c) => (encoded.has(c) ? [numberColumn(c, c.name, "integer", c.nullable)] : undefined)) } };
  },
  summary: (config) => `${config.columns.length ? config.columns.join(", ") : "categorical features"} · by ${config.order}`,
  replay: ({ columns }: { columns: OrdinalColumn[] }) => {
    const codes = columns.map(({ column, categories }) => [column, new Map(categories.map((v, i) => [v, i]))] as const);
    return (row) => {
      for (const [column, code] of codes) {
        const v = row[column];
        row[column] = typeof v === "string" ? (code.get(v) ?? null) : null;
      }
    };
  },
  reads: ({ columns }) => Object.fromEntries(columns.map(({ column }) => [column, [column]])),
});
