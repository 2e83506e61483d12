import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";
import { inPlace, type Problem } from "../columns";
import { anchored, datePattern, DEFAULT_FORMAT, FIELD_NAMES, isLeap, readDate, type Field } from "~/lib/pipeline/dates";

const dateParts = ["year", "month", "day", "day_of_week", "day_of_year", "hour", "minute", "is_weekend"] as const;
export type DatePart = (typeof dateParts)[number];

/** The field each part is read from (a date part needs the whole date). */
export const NEEDS: Record<DatePart, Field> = { year: "Y", month: "m", day: "d", day_of_week: "d", day_of_year: "d", hour: "H", minute: "M", is_weekend: "d" };
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Monday = 0, as pandas counts (proleptic Gregorian, as DuckDB's dates). */
function weekday(y: number, m: number, d: number) {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return (t.getUTCDay() + 6) % 7;
}

/** One part of a value's fields, as the SQL in execute.ts computes it. */
export function partOf(part: DatePart, f: Partial<Record<Field, number>>): number {
  const { Y, m, d } = f as Record<Field, number>;
  switch (part) {
    case "day_of_week":
      return weekday(Y, m, d);
    case "is_weekend":
      return weekday(Y, m, d) >= 5 ? 1 : 0;
    case "day_of_year":
      return DAYS_BEFORE[m - 1]! + d + (m > 2 && isLeap(Y) ? 1 : 0);
    default:
      return f[NEEDS[part]]!;
  }
}

/**
 * What a config takes apart, checked against the columns: the column, its format's pattern and
 * the parts (none chosen: every part the format has). Without a readable column, no parts.
 */
export function plan(config: { column: string; parts: DatePart[] }, cols: ColumnSchema[]) {
  const errors: Problem[] = [];
  const column = findColumn(cols, config.column);
  const assumed = column?.kind && DEFAULT_FORMAT[column.kind];
  const format = column?.format ?? assumed;
  const pattern = assumed && format ? datePattern(format) : undefined;
  if (!config.column) errors.push({ path: "column", message: "choose a date, datetime or time column" });
  else if (!column) errors.push({ path: "column", message: `column '${config.column}' is not in the input` });
  else if (!assumed) errors.push({ path: "column", message: `column '${column.name}' is ${column.kind ?? column.type}, not a date, datetime or time` });
  else if (typeof pattern === "string") errors.push({ path: "column", message: `column '${column.name}': ${pattern}` });
  if (!column || !format || !pattern || typeof pattern === "string") return { errors, parts: [] as DatePart[] };

  const has = (part: DatePart) => pattern.fields.includes(NEEDS[part]);
  const parts = config.parts.length ? config.parts : dateParts.filter(has);
  const exists = (part: DatePart) => findColumn(cols, `${column.name}_${part}`);
  config.parts.forEach((part, i) => {
    const path = `parts.${i}`;
    if (config.parts.indexOf(part) < i) errors.push({ path, message: `'${part}' is listed twice` });
    else if (!has(part)) errors.push({ path, message: `'${column.name}' has no ${FIELD_NAMES[NEEDS[part]]} (its format is ${format})` });
    else if (exists(part)) errors.push({ path, message: `column '${column.name}_${part}' already exists` });
  });
  if (!config.parts.length) {
    for (const part of parts.filter(exists)) errors.push({ path: "parts", message: `column '${column.name}_${part}' already exists` });
  }
  return { errors, column, format, pattern, parts };
}

export interface DatePartsParams {
  column: string;
  format: string;
  parts: DatePart[];
  drop: boolean;
}

export const spec = defineNode({
  type: "date-parts",
  label: "Date parts",
  stage: "feature",
  description:
    "Adds numeric columns <column>_<part> from a date, datetime or time column, read with its format. Parts: year, month, day, day_of_week (Monday = 0), day_of_year, hour, minute, is_weekend (1 on Saturday and Sunday). Times are taken as written: a zone such as Z or +02:00 is not applied. A value that is not a real date or time (30 February, 24:00) gives missing parts.",
  config: z.object({
    column: z.string().default("").meta({ title: "Date column", description: "A date, datetime or time column", widget: "column", kinds: ["date", "datetime", "time"] }),
    parts: z
      .array(z.enum(dateParts))
      .default([])
      .meta({
        title: "Parts",
        description: "Comma-separated, from: year, month, day, day_of_week, day_of_year, hour, minute, is_weekend. Empty means every part the column has.",
      }),
    dropOriginal: z.boolean().default(true).meta({ title: "Drop the original column" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { errors, column, parts } = plan(config, cols);
    if (!column) return { errors };
    const written = parts.map((part): ColumnSchema => ({ name: `${column.name}_${part}`, type: "number", nullable: column.nullable, kind: "integer" }));
    return { errors, outputs: { dataset: inPlace(cols, (c) => (c === column ? [...(config.dropOriginal ? [] : [c]), ...written] : undefined)) } };
  },
  summary: (config) => `${config.column || "?"} → ${config.parts.length ? config.parts.join(", ") : "all parts"}`,
  replay: ({ column, format, parts, drop }: DatePartsParams) => {
    const pattern = datePattern(format);
    if (typeof pattern === "string") throw new Error(`date-parts cannot read '${column}': ${pattern}`);
    const re = new RegExp(anchored(pattern));
    return (row) => {
      const fields = readDate(row[column], pattern, re);
      for (const part of parts) row[`${column}_${part}`] = fields ? partOf(part, fields) : null;
      if (drop) delete row[column];
    };
  },
  reads: ({ column, parts }) => Object.fromEntries(parts.map((part) => [`${column}_${part}`, [column]])),
});
