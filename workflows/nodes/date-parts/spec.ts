import { z } from "zod";
import type { ColumnKind, ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";
import { inPlace, type Problem } from "../columns";

/** Ingest's names for the formats it recognises without strptime (workflows/data/ingest/csv.ts). */
export const ISO8601 = "iso8601";
export const CLOCK = "hh:mm[:ss]";
/** A column of a date kind without a format reads the way ingest assumes then. */
const DEFAULT_FORMAT: Partial<Record<ColumnKind, string>> = { date: "%Y-%m-%d", datetime: ISO8601, time: CLOCK };

const dateParts = ["year", "month", "day", "day_of_week", "day_of_year", "hour", "minute", "is_weekend"] as const;
export type DatePart = (typeof dateParts)[number];

type Field = "Y" | "m" | "d" | "H" | "M" | "S";
const DIGITS: Record<Field, string> = { Y: "([0-9]{1,4})", m: "([0-9]{1,2})", d: "([0-9]{1,2})", H: "([0-9]{1,2})", M: "([0-9]{1,2})", S: "([0-9]{1,2})" };
/** The field each part is read from (a date part needs the whole date). */
export const NEEDS: Record<DatePart, Field> = { year: "Y", month: "m", day: "d", day_of_week: "d", day_of_year: "d", hour: "H", minute: "M", is_weekend: "d" };
export const FIELD_NAMES: Record<Field, string> = { Y: "year", m: "month", d: "day", H: "hour", M: "minute", S: "second" };

/**
 * A date format as one regular expression (the same text for JS and DuckDB's RE2): its groups
 * capture the fields, in `fields` order. Values are matched whole, spaces around allowed.
 */
export interface DatePattern {
  regex: string;
  fields: Field[];
}

/**
 * The pattern of a format ingest writes: ISO 8601 (`T` or a space, seconds, fractions and a zone
 * optional), clock times, and strptime formats made of %Y (1–4 digits), %m %d %H %M %S (1–2
 * digits, as DuckDB's strptime reads them), spaces and literal text. Anything else is a message
 * saying why not.
 *
 * An ISO zone (Z, +02:00) is matched but not applied: parts are those of the time as written,
 * which is where the event happened (a 23:30 order in New York is an evening order), and the
 * same text sent to the endpoint gives the same parts wherever the server runs.
 */
export function datePattern(format: string): DatePattern | string {
  if (format === ISO8601) {
    return {
      regex: "([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.[0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
      fields: ["Y", "m", "d", "H", "M", "S"],
    };
  }
  if (format === CLOCK) return { regex: "([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\\.[0-9]+)?)?", fields: ["H", "M", "S"] };
  let regex = "";
  const fields: Field[] = [];
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === "%") {
      const d = format[++i] ?? "";
      if (d === "%") regex += "%";
      else if (!Object.hasOwn(DIGITS, d)) return `its format '${format}' uses %${d}, which date parts cannot read (only %Y %m %d %H %M %S)`;
      else if (fields.includes(d as Field)) return `its format '${format}' uses %${d} twice`;
      else {
        regex += DIGITS[d as Field];
        fields.push(d as Field);
      }
    } else if (ch === " ") {
      while (format[i + 1] === " ") i++;
      regex += " +";
    } else regex += ch.replace(/[.*+?^${}()|[\]\\]/, "\\$&");
  }
  const date = (["Y", "m", "d"] as const).filter((f) => fields.includes(f));
  if (date.length && date.length < 3) return `its format '${format}' has part of a date: date parts needs %Y, %m and %d together`;
  if (!fields.length) return `its format '${format}' has no date or time in it`;
  return { regex, fields };
}

/** The pattern matched against a whole value. */
export const anchored = (p: DatePattern) => `^ *(?:${p.regex}) *$`;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Monday = 0, as pandas counts (proleptic Gregorian, as DuckDB's dates). */
function weekday(y: number, m: number, d: number) {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return (t.getUTCDay() + 6) % 7;
}

/**
 * A value's fields, or null when it does not match or is not a real date or clock time (30
 * February, 24:00): then every part is missing. The SQL in execute.ts applies the same checks.
 */
export function readDate(value: unknown, p: DatePattern, re = new RegExp(anchored(p))): Partial<Record<Field, number>> | null {
  if (typeof value !== "string") return null;
  const match = re.exec(value);
  if (!match) return null;
  const f: Partial<Record<Field, number>> = {};
  p.fields.forEach((name, i) => {
    if (match[i + 1]) f[name] = Number(match[i + 1]);
  });
  if (f.H !== undefined && f.H > 23) return null;
  if (f.M !== undefined && f.M > 59) return null;
  if (f.S !== undefined && f.S > 59) return null;
  if (p.fields.includes("d")) {
    const { Y, m, d } = f as Record<Field, number>;
    if (Y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(Y, m)) return null;
  }
  return f;
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
    column: z.string().default("").meta({ title: "Date column", description: "A date, datetime or time column", widget: "column" }),
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
