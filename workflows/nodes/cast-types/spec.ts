import { z } from "zod";
import { InvalidError } from "~/lib/errors";
import { typeOfKind, type ColumnSchema } from "~/lib/pipeline/document";
import { defineNode, findColumn } from "../define";

const castKinds = ["integer", "float", "text", "categorical", "boolean"] as const;
export type CastKind = (typeof castKinds)[number];

export interface Casts {
  kinds: Record<string, CastKind>;
}

/** A number as text: decimal digits, an optional point and fraction, an optional exponent (no hex, no 'inf'). */
export const NUMBER_PATTERN = "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?";
const NUMBER = new RegExp(`^${NUMBER_PATTERN}$`);
/** Spaces, tabs and line breaks around a value are not part of it. */
export const BLANKS = [" ", "\t", "\n", "\r"];
const trimBlanks = (s: string) => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
export const TRUE_WORDS = ["true", "yes", "1"];
export const FALSE_WORDS = ["false", "no", "0"];

const show = (v: unknown) => (typeof v === "string" ? `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'` : String(v));

/**
 * A number as DuckDB writes it when cast to text, so training and serving spell it alike: whole
 * numbers (up to 2^53) without a fraction, others in the shortest form that reads back the same,
 * fixed-point from 1e-4 up to 1e16 and with an exponent (at least two digits) beyond.
 */
function numberText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (Number.isInteger(x) && Math.abs(x) <= 2 ** 53) return String(x);
  const [mantissa = "", exp = "0"] = x.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e > 15) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  return `${sign}${digits.slice(0, e + 1).padEnd(e + 1, "0")}.${digits.slice(e + 1) || "0"}`;
}

/**
 * One value converted to a kind exactly as training converts a column: the new value (null for
 * a blank string), or why it does not convert. Numbers read from text must be written as
 * decimals; booleans read from true/false, yes/no or 1/0 in any case.
 */
export function convert(v: unknown, kind: CastKind): { value: number | string | boolean | null } | { error: string } {
  if (v === null || v === undefined) return { value: null };
  if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") return { error: `${JSON.stringify(v)?.slice(0, 60)} is not a single value` };
  const text = typeof v === "string" ? trimBlanks(v) : undefined;
  if (text === "") return { value: kind === "text" || kind === "categorical" ? v : null };
  switch (kind) {
    case "integer":
    case "float": {
      let n: number;
      if (typeof v === "number") n = v;
      else if (typeof v === "boolean") n = v ? 1 : 0;
      else if (text !== undefined && NUMBER.test(text)) n = Number(text);
      else return { error: `${show(v)} is not a number` };
      if (typeof v === "string" && !Number.isFinite(n)) return { error: `${show(v)} is out of range` };
      if (kind === "float") return { value: n };
      if (!Number.isInteger(n)) return { error: `${show(v)} is not a whole number` };
      if (!Number.isSafeInteger(n)) return { error: `${show(v)} is too large for an integer (at most 2^53 - 1)` };
      return { value: n };
    }
    case "text":
    case "categorical":
      return { value: typeof v === "number" ? numberText(v) : String(v) };
    case "boolean": {
      if (typeof v === "boolean") return { value: v };
      const word = typeof v === "number" ? String(v) : text?.toLowerCase();
      if (word !== undefined && TRUE_WORDS.includes(word)) return { value: true };
      if (word !== undefined && FALSE_WORDS.includes(word)) return { value: false };
      return { error: `${show(v)} is not true or false (true/false, yes/no, 1/0)` };
    }
  }
}

/** A converted column's schema: the kind's type, its role kept; a source's spellings or format no longer apply. */
export function castColumn(col: ColumnSchema, kind: CastKind): ColumnSchema {
  const { tokens, format: _format, ...rest } = col;
  return { ...rest, type: typeOfKind[kind], kind, ...(tokens && kind === "boolean" && col.type === "boolean" ? { tokens } : {}) };
}

export const spec = defineNode({
  type: "cast-types",
  label: "Convert column types",
  stage: "clean",
  description: "Converts columns to another kind (integer, float, text, categorical, boolean); a value that does not convert fails the run, naming its row.",
  config: z.object({
    kinds: z.record(z.string(), z.enum(castKinds)).default({}).meta({ title: "New kinds", description: "The kind each column becomes", widget: "column-map" }),
  }),
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const errors = Object.keys(config.kinds).flatMap((name) =>
      findColumn(cols, name) ? [] : [{ path: `kinds.${name}`, message: `column '${name}' is not in the input` }],
    );
    if (!Object.keys(config.kinds).length) errors.push({ path: "kinds", message: "choose a column and the kind it becomes" });
    return { errors, outputs: { dataset: cols.map((c) => (config.kinds[c.name] ? castColumn(c, config.kinds[c.name]!) : c)) } };
  },
  summary: (config) =>
    Object.entries(config.kinds)
      .map(([name, kind]) => `${name} → ${kind}`)
      .join(", "),
  // A request's value converts as the column did in training; one that does not is refused.
  replay: ({ kinds }: Casts) => {
    const entries = Object.entries(kinds);
    return (row) => {
      for (const [name, kind] of entries) {
        if (row[name] === null || row[name] === undefined) continue;
        const r = convert(row[name], kind);
        if ("error" in r) throw new InvalidError(`field '${name}': ${r.error}`);
        row[name] = r.value;
      }
    };
  },
  reads: ({ kinds }) => Object.fromEntries(Object.keys(kinds).map((name) => [name, [name]])),
});
