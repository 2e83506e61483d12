import { z } from "zod";
import { InvalidError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";

// Shared by the feature nodes (one-hot, ordinal-encode, target-encode, scale, bin, log-transform,
// date-parts): they live here because only spec files may be imported by specs.

export interface Problem {
  path: string;
  message: string;
}

/** Whether a node may take a column without being told to: never the target, an ID or an ignored column. */
const isFeature = (c: ColumnSchema) => (c.role ?? "feature") === "feature";

/** Text holding categories (dates, times and free text are text too, but not categories). */
export const isCategorical = (c: ColumnSchema) => c.type === "string" && (c.kind === undefined || c.kind === "categorical");

/**
 * The columns a transform works on: the ones named, each checked by `unfit` (why the node
 * cannot take it, or undefined), or when none are named every feature column `usable` accepts.
 * Problems are pinned to `columns.<index>`.
 */
export function pickColumns(
  cols: ColumnSchema[],
  names: string[],
  unfit: (c: ColumnSchema) => string | undefined,
  usable: (c: ColumnSchema) => boolean = (c) => !unfit(c),
): { picked: ColumnSchema[]; errors: Problem[] } {
  if (!names.length) return { picked: cols.filter((c) => isFeature(c) && usable(c)), errors: [] };
  const picked: ColumnSchema[] = [];
  const errors: Problem[] = [];
  names.forEach((name, i) => {
    const col = findColumn(cols, name);
    const why = !col ? "is not in the input" : names.indexOf(name) < i ? "is listed twice" : unfit(col);
    if (why) errors.push({ path: `columns.${i}`, message: `column '${name}' ${why}` });
    else picked.push(col!);
  });
  return { picked, errors };
}

/** Why a column cannot be encoded as categories: only text can (numbers would be spelled differently in SQL and JS). */
export const notText = (c: ColumnSchema) => (c.type === "string" ? undefined : `is ${c.type}; only text columns hold categories`);

/** Why a column cannot be computed with: it is not numeric. */
export const notNumeric = (c: ColumnSchema) => (c.type === "number" ? undefined : `is ${c.type}, not numeric`);

/** A numeric column a transform writes in place of (or from) `from`, keeping its role. */
export function numberColumn(from: ColumnSchema, name: string, kind: "integer" | "float", nullable: boolean): ColumnSchema {
  return { name, type: "number", nullable, kind, ...(from.role ? { role: from.role } : {}) };
}

/** Each input column in place, or the columns `written` puts there instead. */
export const inPlace = (cols: ColumnSchema[], written: (c: ColumnSchema) => ColumnSchema[] | undefined) => cols.flatMap((c) => written(c) ?? [c]);

/** The request value of a numeric column, or null when it is missing (absent or null) or not a number. */
export const numberOf = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

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
