/**
 * CSV as people have it. One path for the upload preview and the import:
 *
 * 1. `prepareCsv`: the encoding (detected, or as told), a UTF-8 copy when needed, the dialect
 *    (delimiter, quote, header; DuckDB's sniffer unless told), the header as written and the
 *    names Millrace will use (empty and repeated names fixed, each with a warning).
 * 2. `profileCsv`: every column read as text over a sample, missing-value tokens applied, and each
 *    column's kind inferred (integer, float, boolean with its spellings, categorical, free text,
 *    date, datetime, time), with ID-like and index columns found and flagged.
 * 3. `importCsv`: the user's choices applied (kinds, roles, names); one streaming pass writes
 *    Parquet, converting as it goes and stopping at the first value that does not fit its kind,
 *    which is then named by column, line and value.
 *
 * Dates, times and timestamps are kept as the text the file has, so that a value written in the
 * CSV and the same value sent to the endpoint mean the same thing.
 */
import fs from "node:fs";
import { parse } from "csv-parse";
import { withoutLocalPaths } from "~/lib/env";
import { InvalidError, messageOf } from "~/lib/errors";
import { CLOCK, DEFAULT_FORMAT, ISO8601, isDateKind } from "~/lib/pipeline/dates";
import { hasControlCharacters, typeOfKind, type ColumnKind, type ColumnRole, type ColumnSchema } from "~/lib/pipeline/document";
import type { ColumnChoice, ColumnProfile, CsvOptions, Dialect, IngestWarning, SourceFormat } from "~/lib/pipeline/ingest";
import { isDataError, quoteIdent, quoteString, withDuck, type Duck } from "../duck";
import { detectEncoding, toUtf8 } from "./encoding";

/** The upload is not usable CSV; `details.line` is 1-based in the uploaded file when known. */
export class CsvError extends InvalidError {
  constructor(message: string, line?: number) {
    super(message, { line: line ?? null });
  }
  get line(): number | undefined {
    return (this.details.line as number | null) ?? undefined;
  }
}

export interface CsvLimits {
  maxColumns: number;
  maxLineBytes: number;
}

/** Written by R, pandas, Excel and databases for "no value". */
const DEFAULT_MISSING = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A", "-"];






export interface PreparedCsv {
  format: SourceFormat;
  /** The file DuckDB reads (the upload itself, or its UTF-8 copy). */
  file: string;
  dialect: Dialect;
  /** The header cells as written (or empty when the file has no header). */
  header: string[];
  /** The names Millrace uses, one per column. */
  names: string[];
  warnings: IngestWarning[];
}


export interface CsvPreview {
  dialect: Dialect;
  columns: ColumnProfile[];
  warnings: IngestWarning[];
  /** Rows the profile read, and whether that was all of them. */
  rowsRead: number;
  sampled: boolean;
}

const DELIMITERS = [",", ";", "\t", "|"];

/** The first line of a file, read only as far as the longest line allowed. */
/** The first `bytes` of a (UTF-8) file as text. */
async function head(file: string, bytes: number): Promise<string> {
  const fh = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

async function firstLine(file: string, limits: CsvLimits): Promise<string> {
  return (await head(file, Math.min(limits.maxLineBytes, 1 << 20))).replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
}

/**
 * The decimal mark of a `;`-separated file (the spreadsheet export of locales that write 3,5): a
 * point where the file's first 64 kB hold numbers written like `3.5` and none like `3,5`, else a
 * comma. Other delimiters keep the point: a comma there separates fields.
 */
async function guessDecimal(file: string, delimiter: string): Promise<"," | "."> {
  if (delimiter !== ";") return ".";
  let comma = 0;
  let point = 0;
  for (const field of (await head(file, 1 << 16)).split(/[;\r\n]/)) {
    const v = field.trim().replace(/^"(.*)"$/, "$1");
    if (/^[-+]?\d*,\d+$/.test(v)) comma++;
    else if (/^[-+]?\d*\.\d+$/.test(v)) point++;
  }
  // A comma reads `3.5` too (commas become points), so it stays unless only points are seen.
  return point > 0 && comma === 0 ? "." : ",";
}

/** The delimiter that splits a line into the most fields, if any splits it at all. */
function bestDelimiter(line: string): string | undefined {
  const [d, fields] = DELIMITERS.map((x) => [x, line.split(x).length] as const).sort((a, b) => b[1] - a[1])[0]!;
  return fields > 1 ? d : undefined;
}

function quoteChar(q: string) {
  return q === "(empty)" || q === "" ? '"' : q;
}

async function firstRecord(file: string, delimiter: string, quote: string, limits: CsvLimits): Promise<string[]> {
  const parser = fs.createReadStream(file, { end: limits.maxLineBytes }).pipe(parse({ bom: true, to_line: 1, delimiter, quote, relax_column_count: true, relax_quotes: true }));
  try {
    for await (const record of parser) return record as string[];
  } catch (e) {
    throw new CsvError(`line 1: ${messageOf(e)}`, 1);
  } finally {
    parser.destroy();
  }
  return [];
}

/** The dialect DuckDB's sniffer finds, with the user's choices taking precedence. */
async function sniff(conn: Duck, file: string, options: CsvOptions, limits: CsvLimits): Promise<{ delimiter: string; quote: string; header: boolean }> {
  const args = [`sample_size = 20480`, `all_varchar = true`, `max_line_size = ${limits.maxLineBytes}`];
  if (options.delimiter) args.push(`delim = ${quoteString(options.delimiter)}`);
  if (options.quote) args.push(`quote = ${quoteString(options.quote)}`);
  if (options.header !== undefined) args.push(`header = ${options.header}`);
  try {
    const [row] = (await conn.runAndReadAll(`SELECT Delimiter, Quote, HasHeader, len(Columns) AS width FROM sniff_csv(${quoteString(file)}, ${args.join(", ")})`)).getRowObjectsJS();
    let delimiter = String(row!["Delimiter"]);
    // Ragged rows can make the sniffer settle on one column; the first line's own delimiter wins then.
    if (Number(row!["width"]) === 1 && !options.delimiter) {
      const best = bestDelimiter(await firstLine(file, limits));
      if (best) delimiter = best;
    }
    return {
      delimiter: options.delimiter ?? (delimiter === "(empty)" ? "," : delimiter),
      quote: options.quote ?? quoteChar(String(row!["Quote"])),
      header: options.header ?? Boolean(row!["HasHeader"]),
    };
  } catch (e) {
    // Rows far wider than the first (the width check reads only that one) exhaust the sniffer's memory.
    if (/^Out of Memory Error/.test(messageOf(e))) throw new CsvError(`the file's rows are too wide or too long to read within DUCKDB_MEMORY_LIMIT; check the delimiter, or raise the limit`);
    if (!isDataError(e) && !/CSV/i.test(messageOf(e))) throw e;
    // The sniffer gives up on some files (one column, ragged rows): count delimiters in the first line.
    return { delimiter: options.delimiter ?? bestDelimiter(await firstLine(file, limits)) ?? ",", quote: options.quote ?? '"', header: options.header ?? true };
  }
}

/** Names for the columns: the header's, trimmed, with empty and repeated ones made unique (and said so). */
function columnNames(header: string[], hasHeader: boolean, width: number, warnings: IngestWarning[]): string[] {
  if (!hasHeader) return Array.from({ length: width }, (_, i) => `column_${i + 1}`);
  const used = new Set<string>();
  return header.map((raw, i) => {
    let name = raw.trim();
    if (hasControlCharacters(name, { name: true })) throw new CsvError(`the name of column ${i + 1} contains a control character`, 1);
    if (!name) {
      name = i === 0 ? "index" : `column_${i + 1}`;
      if (i !== 0) warnings.push({ code: "empty-header", column: name, message: `column ${i + 1} has no name in the header; it is called '${name}'` });
    }
    if (used.has(name)) {
      let n = 2;
      while (used.has(`${name}_${n}`)) n++;
      warnings.push({ code: "duplicate-header", column: `${name}_${n}`, message: `'${name}' appears more than once in the header; column ${i + 1} is called '${name}_${n}'` });
      name = `${name}_${n}`;
    }
    used.add(name);
    return name;
  });
}

/** Files that are not text at all, named for what they are rather than by their first odd byte. */
async function refuseBinary(file: string) {
  const fh = await fs.promises.open(file, "r");
  const head = Buffer.alloc(4096);
  const { bytesRead } = await fh.read(head, 0, head.length, 0).finally(() => fh.close());
  const b = head.subarray(0, bytesRead);
  if (b[0] === 0x1f && b[1] === 0x8b) throw new CsvError("the file is gzip-compressed; decompress it and upload the CSV inside");
  if (b.subarray(0, 4).toString("latin1") === "PK\u0003\u0004") throw new CsvError("the file is a ZIP archive (an Excel workbook is one); save the sheet as CSV and upload that");
  const utf16 = (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
  // A stray control character is the text's problem (named by its column); many are a binary file.
  let control = 0;
  for (const x of b) if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0c && x !== 0x0d) control++;
  if (!utf16 && control > Math.max(4, b.length / 20)) throw new CsvError("the file is not text (it is full of control bytes); upload a CSV, TSV, Parquet or JSON Lines file");
}

const tooManyColumns = (n: number, limits: CsvLimits, line?: number) => new CsvError(`the file has ${n} columns; at most ${limits.maxColumns} are accepted (MAX_CSV_COLUMNS)`, line);

export async function prepareCsv(upload: string, scratchDir: string, options: CsvOptions, limits: CsvLimits): Promise<PreparedCsv> {
  if ((await fs.promises.stat(upload)).size === 0) throw new CsvError("the file is empty");
  await refuseBinary(upload);
  const encoding = options.encoding ?? (await detectEncoding(upload));
  const file = await toUtf8(upload, encoding, `${scratchDir}/utf8.csv`);
  // Too wide a file is refused before DuckDB's sniffer, which holds its whole sample in memory (50,000
  // columns exhaust DUCKDB_MEMORY_LIMIT): counted on the first record split by its likeliest delimiter.
  const guess = { delimiter: options.delimiter ?? bestDelimiter(await firstLine(file, limits)) ?? ",", quote: options.quote ?? '"' };
  const guessed = await firstRecord(file, guess.delimiter, guess.quote, limits);
  if (guessed.length > limits.maxColumns) throw tooManyColumns(guessed.length, limits, 1);
  // Nothing left to find when the options name all three (a preview's dialect, saved as seen).
  const given = options.delimiter !== undefined && options.quote !== undefined && options.header !== undefined;
  const { delimiter, quote, header } = given
    ? { delimiter: options.delimiter!, quote: options.quote!, header: options.header! }
    : await withDuck((conn) => sniff(conn, file, options, limits));
  const first = delimiter === guess.delimiter && quote === guess.quote ? guessed : await firstRecord(file, delimiter, quote, limits);
  if (first.length === 0 || first.every((h) => h.trim() === "")) throw new CsvError("the first line is empty; it must name the columns (or hold the first row)", 1);
  if (first.length > limits.maxColumns) throw tooManyColumns(first.length, limits, 1);
  const warnings: IngestWarning[] = [];
  const names = columnNames(first, header, first.length, warnings);
  const dialect: Dialect = { encoding, delimiter, quote, header, decimal: options.decimal ?? (await guessDecimal(file, delimiter)), missing: options.missing ?? DEFAULT_MISSING };
  return { format: "csv", file, dialect, header: header ? first : [], names, warnings };
}

/**
 * A Parquet or JSON Lines file: typed already, so there is no dialect to find; its columns are
 * read as text (numbers, dates and timestamps in their canonical spelling) and go through the
 * same inference as a CSV's.
 */
export async function prepareTyped(file: string, format: "parquet" | "jsonl", limits: CsvLimits): Promise<PreparedCsv> {
  if ((await fs.promises.stat(file)).size === 0) throw new CsvError("the file is empty");
  const names = await withDuck(async (conn) => {
    try {
      return (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${typedReader(file, format)}`)).getRowObjectsJS().map((r) => String(r["column_name"]));
    } catch (e) {
      throw new CsvError(`the file is not ${format === "parquet" ? "Parquet" : "JSON Lines (one JSON object per line)"}: ${withoutLocalPaths(messageOf(e).split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").replaceAll(file, "the file")).slice(0, 200)}`);
    }
  });
  if (names.length > limits.maxColumns) throw tooManyColumns(names.length, limits);
  names.forEach((n, i) => {
    if (!n.trim() || hasControlCharacters(n, { name: true })) throw new CsvError(`column ${i + 1} has an empty name or one with a control character`);
  });
  const dialect: Dialect = { encoding: "utf-8", delimiter: "", quote: "", header: true, decimal: ".", missing: [] };
  return { format, file, dialect, header: names, names, warnings: [] };
}

const typedReader = (file: string, format: "parquet" | "jsonl") =>
  format === "parquet" ? `read_parquet(${quoteString(file)})` : `read_json(${quoteString(file)}, format = 'newline_delimited', sample_size = 20480, maximum_object_size = 16777216)`;

/** The file as a relation of text columns, missing-value tokens already NULL. */
function textSource(p: PreparedCsv, limits: CsvLimits): string {
  if (p.format !== "csv") {
    // Nested values (lists, objects) become their JSON text; timestamps their ISO spelling.
    return `(SELECT ${p.names.map((n) => `CAST(${quoteIdent(n)} AS VARCHAR) AS ${quoteIdent(n)}`).join(", ")} FROM ${typedReader(p.file, p.format)})`;
  }
  return csvReader(p, limits);
}

/** A CSV file as read with its dialect: every column text, or the `numbers` ones as numbers (DuckDB's own parse). */
function csvReader(p: PreparedCsv, limits: CsvLimits, numbers = new Set<string>()): string {
  const d = p.dialect;
  const typed = numbers.size ? (d.decimal === "," ? `, decimal_separator = ','` : "") : ", all_varchar = true";
  return `read_csv(${quoteString(p.file)}, delim = ${quoteString(d.delimiter)}, quote = ${quoteString(d.quote)}, escape = ${quoteString(d.quote)}, header = ${d.header}${typed}, nullstr = [${d.missing.map(quoteString).join(", ")}], strict_mode = true, null_padding = false, max_line_size = ${limits.maxLineBytes}, auto_detect = false, columns = {${p.names.map((n) => `${quoteString(n)}: '${numbers.has(n) ? "DOUBLE" : "VARCHAR"}'`).join(", ")}})`;
}

/** A number written the file's way, as SQL over the text column `q`. */
const numberText = (q: string, decimal: "." | ",") => (decimal === "," ? `replace(trim(${q}), ',', '.')` : `trim(${q})`);

const BOOLEAN_PAIRS: [string[], string[]][] = [
  [["true"], ["false"]],
  [["yes"], ["no"]],
  [["y"], ["n"]],
  [["t"], ["f"]],
  [["on"], ["off"]],
];

const DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y"];
const DATETIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M"];
/** ISO 8601 timestamps, with `T` or a space, seconds and fractions optional, a zone optional. */
const ISO_DATETIME_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?";
const TIME_RE = "[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?";

interface Stats {
  n: number;
  missing: number;
  distinct: number;
  ints: number;
  numbers: number;
  lowerDistinct: number;
  lowMin: string | null;
  lowMax: string | null;
  dateLike: number;
  isoLike: number;
  timeLike: number;
  avgLength: number;
  intMin: number | null;
  intMax: number | null;
  top: string[];
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const STATS_GROUP = 8;

async function columnStats(conns: Duck[], relation: string, names: string[], decimal: "." | ","): Promise<Stats[]> {
  const out: Stats[] = new Array(names.length);
  // In small groups: each column's distinct counts and top-k keep hash tables per thread, and a
  // group of 50 columns ran out of DUCKDB_MEMORY_LIMIT (256 MB) on a 65-column file. A sample is
  // one row group, which one DuckDB thread reads: the groups are queried side by side, one per connection.
  let next = 0;
  let failed = false;
  // Settled, all of them, before a failure is thrown: the connections close then. After a
  // failure no connection takes another group.
  const settled = await Promise.allSettled(
    conns.map(async (conn) => {
      for (let start = next++ * STATS_GROUP; start < names.length && !failed; start = next++ * STATS_GROUP) {
        const group = names.slice(start, start + STATS_GROUP);
        const exprs = group.flatMap((name, i) => {
          const q = quoteIdent(name);
          const t = `trim(${q})`;
          return [
            `count(${q}) AS n${i}`,
            `count(*) - count(${q}) AS m${i}`,
            `count(DISTINCT ${q}) AS d${i}`,
            `count(*) FILTER (WHERE regexp_full_match(${t}, '[+-]?[0-9]{1,15}')) AS i${i}`,
            `count(*) FILTER (WHERE isfinite(TRY_CAST(${numberText(q, decimal)} AS DOUBLE))) AS f${i}`,
            `count(DISTINCT lower(${t})) AS ld${i}`,
            `min(lower(${t})) AS lmin${i}`,
            `max(lower(${t})) AS lmax${i}`,
            `count(*) FILTER (WHERE regexp_full_match(${t}, '[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?')) AS dl${i}`,
            `count(*) FILTER (WHERE regexp_full_match(${t}, '${ISO_DATETIME_RE}')) AS iso${i}`,
            `count(*) FILTER (WHERE regexp_full_match(${t}, '${TIME_RE}')) AS tl${i}`,
            `avg(length(${q})) AS al${i}`,
            `min(TRY_CAST(${t} AS BIGINT)) AS imin${i}`,
            `max(TRY_CAST(${t} AS BIGINT)) AS imax${i}`,
            `approx_top_k(${q}, 5) AS top${i}`,
          ];
        });
        const [row] = (
          await conn.runAndReadAll(`SELECT ${exprs.join(", ")} FROM ${relation}`).catch((e: unknown) => {
            failed = true;
            throw e;
          })
        ).getRowObjectsJS();
        group.forEach((_, i) => {
          const r = row!;
          out[start + i] = {
            n: Number(r[`n${i}`]),
            missing: Number(r[`m${i}`]),
            distinct: Number(r[`d${i}`]),
            ints: Number(r[`i${i}`]),
            numbers: Number(r[`f${i}`]),
            lowerDistinct: Number(r[`ld${i}`]),
            lowMin: (r[`lmin${i}`] as string | null) ?? null,
            lowMax: (r[`lmax${i}`] as string | null) ?? null,
            dateLike: Number(r[`dl${i}`]),
            isoLike: Number(r[`iso${i}`]),
            timeLike: Number(r[`tl${i}`]),
            avgLength: Number(r[`al${i}`] ?? 0),
            intMin: num(r[`imin${i}`]),
            intMax: num(r[`imax${i}`]),
            top: ((r[`top${i}`] as unknown[] | null) ?? []).filter((v) => v !== null).map(String),
          };
        });
      }
    }),
  );
  const rejected = settled.find((r) => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return out;
}

/** The first format every value of a date-like column parses with, and whether another one did too. */
async function dateFormat(conn: Duck, relation: string, name: string, n: number, formats: string[]): Promise<{ format: string; ambiguous: boolean } | null> {
  const t = `trim(${quoteIdent(name)})`;
  const [row] = (await conn.runAndReadAll(`SELECT ${formats.map((f, i) => `count(*) FILTER (WHERE try_strptime(${t}, ${quoteString(f)}) IS NOT NULL) AS c${i}`).join(", ")} FROM ${relation}`)).getRowObjectsJS();
  const ok = formats.filter((_, i) => Number(row![`c${i}`]) === n);
  return ok.length ? { format: ok[0]!, ambiguous: ok.length > 1 } : null;
}

const ID_NAME = /(^|[^a-z])(id|uuid|guid|key|code|number|no)$|^id([^a-z]|$)/i;

/** The kind of one column from its statistics (and, for dates, a check of the formats). */
async function inferColumn(conn: Duck, relation: string, name: string, s: Stats, rows: number, warnings: IngestWarning[]): Promise<Pick<ColumnProfile, "kind" | "role" | "tokens" | "format">> {
  if (s.n === 0) {
    warnings.push({ code: "empty-column", column: name, message: `'${name}' has no values; it is ignored` });
    return { kind: "categorical", role: "ignored" };
  }
  let kind: ColumnKind;
  let tokens: ColumnProfile["tokens"];
  let format: string | undefined;
  const pair = s.lowerDistinct <= 2 ? BOOLEAN_PAIRS.find(([t, f]) => [s.lowMin, s.lowMax].every((v) => v !== null && (t.includes(v) || f.includes(v)))) : undefined;
  if (pair) {
    kind = "boolean";
    // The spellings as written (Yes, YES, yes …) come from the top values; both sides are kept.
    tokens = { true: [...new Set([...s.top.filter((v) => pair[0].includes(v.trim().toLowerCase())), ...pair[0]])], false: [...new Set([...s.top.filter((v) => pair[1].includes(v.trim().toLowerCase())), ...pair[1]])] };
  } else if (s.ints === s.n) kind = "integer";
  else if (s.numbers === s.n) kind = "float";
  else if (s.isoLike === s.n) {
    kind = "datetime";
    format = ISO8601;
  } else if (s.timeLike === s.n) {
    kind = "time";
    format = CLOCK;
  } else if (s.dateLike === s.n) {
    const date = await dateFormat(conn, relation, name, s.n, DATE_FORMATS);
    const datetime = date ? null : await dateFormat(conn, relation, name, s.n, DATETIME_FORMATS);
    const found = date ?? datetime;
    if (found) {
      kind = date ? "date" : "datetime";
      format = found.format;
      if (found.ambiguous) warnings.push({ code: "ambiguous-date", column: name, message: `the dates in '${name}' read both day-first and month-first; ${found.format} is assumed — change the format if that is wrong` });
    } else kind = "categorical";
  } else kind = s.avgLength > 40 || (s.distinct > 0.5 * s.n && s.avgLength > 20 && s.n > 50) ? "text" : "categorical";

  let role: ColumnRole = "feature";
  const unique = s.distinct === s.n && s.n >= 20 && s.missing === 0;
  if (unique && (kind === "integer" || kind === "categorical" || kind === "text")) {
    const consecutive = kind === "integer" && s.intMin !== null && s.intMax !== null && s.intMax - s.intMin + 1 === s.n;
    if (kind !== "integer" || consecutive || ID_NAME.test(name)) {
      role = "id";
      warnings.push({
        code: "id-like",
        column: name,
        message: `'${name}' has a different value in every row, like an identifier; it is not used as a feature (set its role to feature to use it)`,
      });
    }
  }
  if (s.lowerDistinct === 1 && s.missing === 0 && rows > 1 && role === "feature" && kind !== "boolean") {
    warnings.push({ code: "constant", column: name, message: `'${name}' has the same value in every row; it cannot help a model` });
  }
  return { kind, role, tokens, format };
}

/** Profiles the columns over the first `sampleRows` rows (all of them if fewer). */
export async function profileCsv(p: PreparedCsv, limits: CsvLimits, sampleRows = 20_000): Promise<CsvPreview> {
  return withDuck(async (conn, connect) => {
    let rows: number;
    let stats: Stats[];
    try {
      // A table of the database, not of this connection: the second connection reads it too.
      await conn.run(`CREATE TABLE sample AS SELECT * FROM ${textSource(p, limits)} LIMIT ${sampleRows + 1}`);
      rows = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM sample`)).getRowObjectsJS()[0]!["n"]);
      stats = await columnStats(p.names.length > STATS_GROUP ? [conn, await connect()] : [conn], "sample", p.names, p.dialect.decimal);
    } catch (e) {
      throw isDataError(e) || /CSV|JSON|Parquet/i.test(messageOf(e)) ? await explainError(p, limits, e) : e;
    }
    if (rows === 0) throw new CsvError(p.format === "csv" && p.dialect.header ? "the file has a header but no rows" : "the file has no rows");
    const sampled = rows > sampleRows;
    const warnings = [...p.warnings];
    const columns: ColumnProfile[] = [];
    for (const [i, name] of p.names.entries()) {
      const s = stats[i]!;
      const inferred = await inferColumn(conn, "sample", name, s, Math.min(rows, sampleRows), warnings);
      // An unnamed first column counting rows is the index pandas writes: kept out of the features.
      if (i === 0 && p.dialect.header && !p.header[0]?.trim() && inferred.kind === "integer" && s.intMin !== null && s.intMin <= 1 && s.intMax !== null && s.intMax - s.intMin + 1 === s.n) {
        inferred.role = "ignored";
        const at = warnings.findIndex((w) => w.column === name && w.code === "id-like");
        if (at >= 0) warnings.splice(at, 1);
        warnings.push({ code: "index-column", column: name, message: "the first column has no name and counts the rows (an index written by pandas); it is ignored" });
      }
      columns.push({
        name,
        source: p.dialect.header ? (p.header[i] ?? "") : "",
        type: typeOfKind[inferred.kind],
        nullable: s.missing > 0,
        ...inferred,
        ...(inferred.tokens ? {} : { tokens: undefined }),
        missing: s.missing,
        distinct: s.distinct,
        samples: s.top,
      });
    }
    if (sampled) warnings.push({ code: "sampled", message: `kinds were inferred from the first ${sampleRows.toLocaleString("en")} rows; every row is checked when the dataset is saved` });
    return { dialect: p.dialect, columns: columns.map(stripUndefined), warnings, rowsRead: Math.min(rows, sampleRows), sampled };
  });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}


/** The preview's columns with the user's choices applied, checked. */
export function applyChoices(columns: ColumnProfile[], choices: Record<string, ColumnChoice> = {}): ColumnProfile[] {
  for (const key of Object.keys(choices)) {
    if (!columns.some((c) => c.name === key)) throw InvalidError.withProblems(`there is no column '${key}'`, [{ path: `columns.${key}`, message: "is not a column of the file" }]);
  }
  const out = columns.map((c) => {
    const ch = choices[c.name] ?? {};
    const kind = ch.kind ?? c.kind;
    let format = ch.format ?? (ch.kind && ch.kind !== c.kind ? undefined : c.format);
    if (isDateKind(kind) && !format) format = DEFAULT_FORMAT[kind];
    const tokens = kind === "boolean" ? (ch.tokens ?? c.tokens ?? { true: ["true"], false: ["false"] }) : undefined;
    const name = ch.rename?.trim() || c.name;
    if (hasControlCharacters(name, { name: true }) || name.length > 200) throw InvalidError.withProblems(`invalid name for column '${c.name}'`, [{ path: `columns.${c.name}.rename`, message: "1–200 characters, no control characters" }]);
    return stripUndefined({ ...c, name, kind, type: typeOfKind[kind], role: ch.role ?? c.role, format: isDateKind(kind) ? format : undefined, tokens });
  });
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) throw InvalidError.withProblems(`two columns would be called '${c.name}'`, [{ path: `columns.${c.name}.rename`, message: "names must be unique" }]);
    seen.add(c.name);
  }
  if (out.filter((c) => c.role === "target").length > 1) throw InvalidError.withProblems("only one column can be the target", [{ path: "columns", message: "choose one target" }]);
  if (out.filter((c) => c.role !== "ignored").length === 0) {
    // Empty columns are ignored by default: when that is all of them, the file has nothing in it.
    if (columns.every((c) => c.distinct === 0)) throw new CsvError("every column is empty: the file has no values");
    throw InvalidError.withProblems("every column is ignored", [{ path: "columns", message: "keep at least one column" }]);
  }
  return out;
}

/** SQL turning the text column `q` into the column's kind, or NULL where it does not fit. */
function converted(q: string, c: ColumnProfile, decimal: "." | ","): string {
  const t = `trim(${q})`;
  switch (c.kind) {
    case "integer":
    case "float":
      return `CASE WHEN isfinite(TRY_CAST(${numberText(q, decimal)} AS DOUBLE)) THEN TRY_CAST(${numberText(q, decimal)} AS DOUBLE) END`;
    case "boolean": {
      const list = (vs: string[]) => vs.map((v) => quoteString(v.trim().toLowerCase())).join(", ");
      return `CASE WHEN lower(${t}) IN (${list(c.tokens!.true)}) THEN true WHEN lower(${t}) IN (${list(c.tokens!.false)}) THEN false END`;
    }
    case "date":
    case "datetime":
    case "time":
      return `CASE WHEN ${fitsFormat(t, c.format!)} THEN ${t} END`;
    default:
      return q;
  }
}

/** Whether the text `t` reads with a date/time format (ISO 8601 and times by pattern and cast). */
function fitsFormat(t: string, format: string): string {
  if (format === ISO8601) return `(regexp_full_match(${t}, '${ISO_DATETIME_RE}') AND TRY_CAST(${t} AS TIMESTAMPTZ) IS NOT NULL)`;
  if (format === CLOCK) return `(regexp_full_match(${t}, '${TIME_RE}') AND TRY_CAST(${t} AS TIME) IS NOT NULL)`;
  return `try_strptime(${t}, ${quoteString(format)}) IS NOT NULL`;
}

const what: Record<ColumnKind, string> = {
  integer: "a number",
  float: "a number",
  boolean: "yes/no",
  categorical: "text",
  text: "text",
  date: "a date",
  datetime: "a date and time",
  time: "a time",
};

/** Finds the first value of `column` that does not fit, streaming the file (only after a conversion failed). */
async function firstMisfit(p: PreparedCsv, column: ColumnProfile, index: number, limits: CsvLimits): Promise<CsvError> {
  if (p.format !== "csv") return typedMisfit(p, column, index, limits);
  const parser = fs
    .createReadStream(p.file)
    .pipe(parse({ bom: true, delimiter: p.dialect.delimiter, quote: p.dialect.quote, skip_empty_lines: true, relax_column_count: true, max_record_size: limits.maxLineBytes, info: true, from_line: p.dialect.header ? 2 : 1 }));
  const missing = new Set(p.dialect.missing);
  const fits = fitsInJs(column, p.dialect.decimal);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const v = record[index];
      if (v === undefined || missing.has(v)) continue;
      if (!fits(v)) {
        return new CsvError(
          `column '${column.name}', line ${info.lines}: '${v.slice(0, 60)}' is not ${what[column.kind]}${column.format ? ` in the format ${column.format}` : ""}; set the column's kind to text, or add '${v.slice(0, 20)}' to the missing-value tokens`,
          info.lines,
        );
      }
    }
  } finally {
    parser.destroy();
  }
  return new CsvError(`column '${column.name}' has a value that is not ${what[column.kind]}`);
}

function fitsInJs(c: ColumnProfile, decimal: "." | ","): (v: string) => boolean {
  switch (c.kind) {
    case "integer":
    case "float":
      return (v) => {
        const s = (decimal === "," ? v.replace(",", ".") : v).trim();
        return s !== "" && Number.isFinite(Number(s));
      };
    case "boolean": {
      const all = new Set([...c.tokens!.true, ...c.tokens!.false].map((t) => t.toLowerCase()));
      return (v) => all.has(v.trim().toLowerCase());
    }
    default:
      // Dates: the engine refused one; any value not matching the simple shape is the culprit's best guess.
      return c.kind === "date" || c.kind === "datetime" || c.kind === "time" ? (v) => /^[0-9]/.test(v.trim()) && !Number.isNaN(Date.parse(v.trim().replace(" ", "T"))) : () => true;
  }
}

/** The first value of a typed file's column that does not fit, by row. */
async function typedMisfit(p: PreparedCsv, column: ColumnProfile, index: number, limits: CsvLimits): Promise<CsvError> {
  const q = quoteIdent(p.names[index]!);
  const conv = converted(q, column, p.dialect.decimal);
  const [row] = await withDuck(async (conn) =>
    (await conn.runAndReadAll(`SELECT rn, v FROM (SELECT row_number() OVER () AS rn, ${q} AS v, ${conv} AS c FROM ${textSource(p, limits)}) WHERE v IS NOT NULL AND c IS NULL LIMIT 1`)).getRowObjectsJS(),
  );
  if (!row) return new CsvError(`column '${column.name}' has a value that is not ${what[column.kind]}`);
  return new CsvError(`column '${column.name}', row ${Number(row["rn"])}: '${String(row["v"]).slice(0, 60)}' is not ${what[column.kind]}; set the column's kind to text`);
}

/** When DuckDB refuses the file itself (ragged rows, an unterminated quote), name the line. */
async function explainError(p: PreparedCsv, limits: CsvLimits, e: unknown): Promise<CsvError> {
  if (p.format !== "csv") return new CsvError(messageOf(e).split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").slice(0, 300));
  const parser = fs
    .createReadStream(p.file)
    .pipe(parse({ bom: true, delimiter: p.dialect.delimiter, quote: p.dialect.quote, skip_empty_lines: true, relax_column_count: true, max_record_size: limits.maxLineBytes, info: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (record.length !== p.names.length) return new CsvError(`line ${info.lines}: expected ${p.names.length} fields as in the first line, found ${record.length}`, info.lines);
    }
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    const msg = messageOf(err).replace(/^Invalid Record Length: /, "").replace(/ on line \d+$/, "");
    return line ? new CsvError(`line ${line}: ${msg}`, line) : new CsvError(msg);
  } finally {
    parser.destroy();
  }
  const msg = messageOf(e);
  const line = /Line:\s*(\d+)/i.exec(msg)?.[1];
  const first = msg.split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").slice(0, 300);
  return line ? new CsvError(`line ${line}: ${first}`, Number(line)) : new CsvError(first);
}

/**
 * Writes the file as Parquet at `out` with the chosen columns (ignored ones left out), in one
 * streaming pass under DuckDB's memory limit. Returns the stored rows and columns.
 */
export async function csvToParquetFile(
  p: PreparedCsv,
  columns: ColumnProfile[],
  out: string,
  limits: CsvLimits,
  /** `typed: false` takes the checked path at once; `"only"` never falls back to it (tests). */
  opts: { typed?: boolean | "only" } = {},
): Promise<{ rows: number; columns: ColumnSchema[] }> {
  const kept = columns.map((c, i) => ({ c, i, source: p.names[i]! })).filter(({ c }) => c.role !== "ignored");
  return withDuck(async (conn) => {
    // First, number columns read as numbers by DuckDB's CSV reader itself (≈ 0.7 → 0.55 s for the
    // 327k-row flights file). Where it reads a value at all, it reads the number the checked path
    // below reads (bench: every spelling tried); anything it cannot read, or a value that is not
    // finite, sends the whole file down the checked path, which names the value that does not fit.
    if (opts.typed !== false && p.format === "csv" && kept.some(({ c }) => isNumber(c))) {
      try {
        await conn.run(`COPY (${typedSelect(p, kept, limits)}) TO ${quoteString(out)} (FORMAT parquet, COMPRESSION zstd)`);
        return await storedShape(conn, p, kept, out);
      } catch (e) {
        // A value the reader cannot take as a number (or a misfit of another column) goes the
        // checked way; anything else — a mistake in this query included — is not hidden behind it.
        if (opts.typed === "only" || !/^(Conversion|Invalid Input) Error: |misfit/.test(messageOf(e))) throw e;
      }
    }
    // Three levels, so that each value is converted once: the text (s) and, for numbers, its cast
    // (n); the converted value (c); the checked value under the column's name. Written as one
    // expression, the cast ran four times a cell (finite? value? converted at all? value), which
    // doubled the time of a numeric file.
    const texts = kept.map(({ c, source }, j) => `${quoteIdent(source)} AS s${j}${isNumber(c) ? `, TRY_CAST(${numberText(quoteIdent(source), p.dialect.decimal)} AS DOUBLE) AS n${j}` : ""}`);
    const values = kept.map(({ c }, j) => `s${j}, ${isNumber(c) ? `CASE WHEN isfinite(n${j}) THEN n${j} END` : converted(`s${j}`, c, p.dialect.decimal)} AS c${j}`);
    const checked = kept.map(({ c, source }, j) => checkedColumn(c, j, source, !isText(c)));
    const select = `SELECT ${checked.join(", ")} FROM (SELECT ${values.join(", ")} FROM (SELECT ${texts.join(", ")} FROM ${textSource(p, limits)}))`;
    try {
      await conn.run(`COPY (${select}) TO ${quoteString(out)} (FORMAT parquet, COMPRESSION zstd)`);
    } catch (e) {
      const misfit = /misfit:(.+?)(\n|$|")/.exec(messageOf(e))?.[1];
      const at = misfit === undefined ? -1 : p.names.indexOf(misfit);
      if (at >= 0) throw await firstMisfit(p, columns[at]!, at, limits);
      throw isDataError(e) || /CSV|JSON|Parquet/i.test(messageOf(e)) ? await explainError(p, limits, e) : e;
    }
    return storedShape(conn, p, kept, out);
  });
}

type Kept = { c: ColumnProfile; i: number; source: string }[];

/** The rows and column schemas of a stored dataset. */
async function storedShape(conn: Duck, p: PreparedCsv, kept: Kept, out: string): Promise<{ rows: number; columns: ColumnSchema[] }> {
  const counts = (await conn.runAndReadAll(`SELECT count(*) AS rows, ${kept.map(({ c }, j) => `count(*) - count(${quoteIdent(c.name)}) AS m${j}`).join(", ")} FROM read_parquet(${quoteString(out)})`)).getRowObjectsJS()[0]!;
  const rows = Number(counts["rows"]);
  if (rows === 0) throw new CsvError(p.format === "csv" ? "the file has a header but no rows" : "the file has no rows");
  return {
    rows,
    columns: kept.map(({ c }, j) => {
      const { source: _s, missing: _m, distinct: _d, samples: _x, ...schema } = c;
      return { ...schema, nullable: Number(counts[`m${j}`]) > 0, ...(p.dialect.missing.length ? { missingTokens: p.dialect.missing } : {}) };
    }),
  };
}

const isNumber = (c: ColumnProfile) => c.kind === "integer" || c.kind === "float";
/** Kinds whose text is the value: nothing to convert, nothing that can misfit. */
const isText = (c: ColumnProfile) => c.kind === "categorical" || c.kind === "text";

/**
 * Column j's converted value `c${j}` under its name; where it `converts`, a misfit (text `s${j}`
 * present, `c${j}` null) fails the query with the source column's name.
 */
const checkedColumn = (c: ColumnProfile, j: number, source: string, converts: boolean) =>
  converts ? `CASE WHEN s${j} IS NOT NULL AND c${j} IS NULL THEN error(${quoteString(`misfit:${source}`)}) ELSE c${j} END AS ${quoteIdent(c.name)}` : `c${j} AS ${quoteIdent(c.name)}`;

/**
 * The dataset's rows with number columns typed by the CSV reader (see csvToParquetFile); the
 * other columns converted and checked as on the checked path. A value that is not finite fails.
 */
function typedSelect(p: PreparedCsv, kept: Kept, limits: CsvLimits): string {
  const numbers = new Set(kept.filter(({ c }) => isNumber(c)).map(({ source }) => source));
  const values = kept.map(({ c, source }, j) => {
    const q = quoteIdent(source);
    if (numbers.has(source)) return `CASE WHEN ${q} IS NULL OR isfinite(${q}) THEN ${q} ELSE error('misfit') END AS c${j}`;
    return `${q} AS s${j}, ${converted(q, c, p.dialect.decimal)} AS c${j}`;
  });
  const checked = kept.map(({ c, source }, j) => checkedColumn(c, j, source, !numbers.has(source) && !isText(c)));
  return `SELECT ${checked.join(", ")} FROM (SELECT ${values.join(", ")} FROM ${csvReader(p, limits, numbers)})`;
}
