/**
 * Dates, timestamps and times as the source wrote them: the formats ingest recognises, one
 * regular expression per format (the same text for JS and DuckDB's RE2), and the fields of a
 * value. Ingest, the date-parts node and the endpoint's validation share them, so a date the
 * file spells one way is read the same way everywhere.
 */
import type { ColumnKind } from "./document";

/** Ingest's names for the formats it recognises without strptime. */
export const ISO8601 = "iso8601";
export const CLOCK = "hh:mm[:ss]";
/** A column of a date kind without a format reads the way ingest assumes then. */
export const DEFAULT_FORMAT: Partial<Record<ColumnKind, string>> = { date: "%Y-%m-%d", datetime: ISO8601, time: CLOCK };

export type Field = "Y" | "m" | "d" | "H" | "M" | "S";
const DIGITS: Record<Field, string> = { Y: "([0-9]{1,4})", m: "([0-9]{1,2})", d: "([0-9]{1,2})", H: "([0-9]{1,2})", M: "([0-9]{1,2})", S: "([0-9]{1,2})" };
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

export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

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

/** Whether a column's values are dates, timestamps or times (stored as the text the source wrote). */
export const isDateKind = (kind: ColumnKind | undefined): kind is "date" | "datetime" | "time" => kind === "date" || kind === "datetime" || kind === "time";

/** Whether a request value is a date, timestamp or time written in the column's format. */
export function isWrittenAs(value: string, kind: ColumnKind, format: string | undefined): boolean {
  const pattern = datePattern(format ?? DEFAULT_FORMAT[kind] ?? "");
  return typeof pattern !== "string" && readDate(value, pattern) !== null;
}

/** An example of a format, for messages: 31/12/2024, 2024-12-31T23:59:00Z, 23:59. */
export function exampleOf(kind: ColumnKind, format: string | undefined): string {
  const f = format ?? DEFAULT_FORMAT[kind] ?? "";
  if (f === ISO8601) return "2024-12-31T23:59:00Z";
  if (f === CLOCK) return "23:59";
  return f.replace("%Y", "2024").replace("%m", "12").replace("%d", "31").replace("%H", "23").replace("%M", "59").replace("%S", "00");
}
