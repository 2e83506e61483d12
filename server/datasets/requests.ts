/**
 * What clients send about reading a file and about its columns, validated: as JSON (the upload
 * preview and save) or as query parameters (a one-shot upload from a script).
 */
import { z } from "zod";
import { InvalidError } from "~/lib/errors";
import { columnKinds, columnRoles } from "~/lib/pipeline/document";
import { encodings, type ColumnChoice, type CsvOptions, type SourceFormat } from "~/lib/pipeline/ingest";
import { parseEncoding } from "~/workflows/data/ingest";

const oneChar = z.string().min(1).max(1, "one character");

export const optionsSchema = z
  .object({
    encoding: z.enum(encodings),
    delimiter: z.union([oneChar, z.literal("\t")]),
    quote: oneChar,
    header: z.boolean(),
    decimal: z.enum([".", ","]),
    missing: z.array(z.string().max(50)).max(50),
  })
  .partial()
  .strict();

const choiceSchema = z
  .object({
    kind: z.enum(columnKinds),
    role: z.enum(columnRoles),
    rename: z.string().max(200),
    format: z.string().min(1).max(50),
    tokens: z.object({ true: z.array(z.string().min(1).max(50)).min(1).max(10), false: z.array(z.string().min(1).max(50)).min(1).max(10) }),
  })
  .partial()
  .strict();

export const importSchema = z
  .object({
    upload: z.guid(),
    name: z.string().trim().min(1).max(200),
    options: optionsSchema.optional(),
    columns: z.record(z.string().max(200), choiceSchema).optional(),
  })
  .strict();

/** Options and column choices from a one-shot upload's query: `?delimiter=;&encoding=latin-1&missing=NA,-&target=y&ignore=id,notes`. */
export function fromQuery(params: URLSearchParams): { options: CsvOptions; columns: Record<string, ColumnChoice> } {
  const options: CsvOptions = {};
  const bad = (field: string, message: string) => InvalidError.withProblems(`query parameter '${field}' ${message}`, [{ path: field, message }]);
  const delimiter = params.get("delimiter");
  if (delimiter !== null) {
    const d = delimiter === "tab" || delimiter === "\\t" ? "\t" : delimiter;
    if (d.length !== 1) throw bad("delimiter", "must be one character (or 'tab')");
    options.delimiter = d;
  }
  const quote = params.get("quote");
  if (quote !== null) {
    if (quote.length !== 1) throw bad("quote", "must be one character");
    options.quote = quote;
  }
  const encoding = params.get("encoding");
  if (encoding !== null) {
    const e = parseEncoding(encoding);
    if (!e) throw bad("encoding", `must be one of ${encodings.join(", ")}`);
    options.encoding = e;
  }
  const header = params.get("header");
  if (header !== null) {
    if (!["true", "false"].includes(header)) throw bad("header", "must be true or false");
    options.header = header === "true";
  }
  const decimal = params.get("decimal");
  if (decimal !== null) {
    if (decimal !== "." && decimal !== ",") throw bad("decimal", "must be . or ,");
    options.decimal = decimal;
  }
  const missing = params.get("missing");
  if (missing !== null) options.missing = missing.split(",");
  const columns: Record<string, ColumnChoice> = {};
  const target = params.get("target");
  if (target) columns[target] = { role: "target" };
  for (const name of (params.get("ignore") ?? "").split(",").filter(Boolean)) columns[name] = { ...columns[name], role: "ignored" };
  for (const name of (params.get("id") ?? "").split(",").filter(Boolean)) columns[name] = { ...columns[name], role: "id" };
  for (const name of (params.get("feature") ?? "").split(",").filter(Boolean)) columns[name] = { ...columns[name], role: "feature" };
  return { options, columns };
}

/** The format a request's content type names, or null (JSON, octet-stream, anything else). */
export function formatOfContentType(contentType: string): SourceFormat | null {
  const t = contentType.split(";")[0]!.trim().toLowerCase();
  if (["text/csv", "application/csv", "text/tab-separated-values"].includes(t)) return "csv";
  if (["application/vnd.apache.parquet", "application/x-parquet"].includes(t)) return "parquet";
  if (["application/x-ndjson", "application/jsonl", "application/x-jsonlines"].includes(t)) return "jsonl";
  return null;
}
