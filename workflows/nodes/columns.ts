/**
 * Column choices shared by node specs: which columns a transform takes by default, why one does
 * not fit, what a transform writes, and which column is the target. Pure, like the specs.
 */
import type { ColumnSchema } from "~/lib/pipeline/document";
import { findColumn } from "./define";

export interface Problem {
  path: string;
  message: string;
}

/** Whether a node may take a column without being told to: never the target, an ID or an ignored column. */
export const isFeature = (c: ColumnSchema) => (c.role ?? "feature") === "feature";

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


/** The target a config names, or (when it names none) the column the dataset marks as its target; "" when neither. */
export const targetColumn = (target: string, cols: ColumnSchema[]) => target || cols.find((c) => c.role === "target")?.name || "";

/**
 * A numeric target with more distinct values than this is a quantity, not classes: the split
 * does not stratify by it, and a classifier refuses it.
 */
export const MAX_CLASSES_OF_NUMBERS = 50;
