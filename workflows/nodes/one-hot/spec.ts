import { z } from "zod";
import { InvalidError } from "~/lib/errors";
import { isCategorical, notText, pickColumns } from "../columns";
import { defineNode } from "../define";

export interface OneHotColumn {
  column: string;
  /** The values that have a column of their own, most frequent first. */
  categories: string[];
  /** Whether the column had more values than were kept: the rest (and new ones) go to `<col>=other`. */
  other: boolean;
}

export const OTHER = "other";

/** The values an encoded column gets a column for, in order; a kept value spelled `other` shares the other column. */
export const oneHotValues = ({ categories, other }: OneHotColumn) => [...new Set(other ? [...categories, OTHER] : categories)];

const oneHotNames = (enc: OneHotColumn) => oneHotValues(enc).map((v) => `${enc.column}=${v}`);

export const spec = defineNode({
  type: "one-hot",
  label: "One-hot encode",
  stage: "feature",
  description:
    "Replaces each text column with 0/1 columns named <column>=<value>, one for each of its most frequent values; the rest share <column>=other. A missing value is all zeros.",
  config: z.object({
    columns: z
      .array(z.string())
      .default([])
      .meta({ title: "Columns", description: "Empty means every categorical feature column (not the target, IDs or ignored columns).", widget: "columns" }),
    maxCategories: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(20)
      .meta({ title: "Values kept per column", description: "The most frequent get a column each; when there are more, the rest go to <column>=other." }),
    unknown: z
      .enum(["ignore", "error"])
      .default("ignore")
      .meta({
        title: "Values not seen in training",
        description: "At the endpoint: ignore = all zeros, error = the request is refused. In a column with an other column, such values count as other.",
      }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { picked, errors } = pickColumns(cols, config.columns, notText, isCategorical);
    // Which values get a column is known only once the data is read: until then the columns after
    // this node are unknown (undefined, so that later nodes do not refuse names they cannot see).
    return picked.length ? { errors } : { errors, outputs: { dataset: cols } };
  },
  summary: (config) => `${config.columns.length ? config.columns.join(", ") : "categorical features"} · top ${config.maxCategories}`,
  replay: ({ columns, unknown }: { columns: OneHotColumn[]; unknown: "ignore" | "error" }) => {
    const encoders = columns.map((enc) => {
      const names = oneHotNames(enc);
      const hits = new Map(enc.categories.map((v) => [v, `${enc.column}=${v}`]));
      return (row: Record<string, unknown>) => {
        const raw = row[enc.column];
        delete row[enc.column];
        for (const n of names) row[n] = 0;
        if (raw === null || raw === undefined) return;
        const hit = typeof raw === "string" ? hits.get(raw) : undefined;
        if (hit) row[hit] = 1;
        else if (enc.other) row[`${enc.column}=${OTHER}`] = 1;
        else if (unknown === "error") {
          throw new InvalidError(`field '${enc.column}': ${JSON.stringify(raw)?.slice(0, 60)} is a value the model never saw in training`, { field: enc.column });
        }
      };
    });
    return (row) => {
      for (const encode of encoders) encode(row);
    };
  },
  reads: ({ columns }) => Object.fromEntries(columns.flatMap((enc) => oneHotNames(enc).map((n) => [n, [enc.column]]))),
});
