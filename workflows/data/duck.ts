/**
 * DuckDB is Millrace's tabular engine: CSV import, cleaning, derived columns and splits run
 * as SQL over Parquet files instead of loops over JS objects.
 */
import fs from "node:fs";
import path from "node:path";
import { DuckDBDoubleVector, DuckDBInstance, DuckDBVarCharVector, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBVector } from "@duckdb/node-api";
import { env } from "~/lib/env";
import { UserError } from "~/lib/errors";
import type { ColumnSchema, ColumnType } from "~/lib/pipeline/document";

export type Duck = DuckDBConnection;

/**
 * A fresh in-memory database per unit of work; it is cheap and leaves nothing shared behind.
 * Its memory is capped (DUCKDB_MEMORY_LIMIT): large data spills to files under the data dir,
 * which DuckDB removes when the work is done.
 */
export async function withDuck<T>(fn: (conn: Duck, connect: () => Promise<Duck>) => Promise<T>): Promise<T> {
  const e = env();
  const spill = path.join(e.dataDir, "tmp", "duckdb");
  // DuckDB creates its spill directory but not the ones above it.
  fs.mkdirSync(spill, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: e.DUCKDB_MEMORY_LIMIT, temp_directory: spill });
  const conn = await instance.connect();
  // More connections to the same database, for queries run side by side (temporary tables are a connection's own).
  const more: Duck[] = [];
  const connect = async () => {
    const c = await instance.connect();
    more.push(c);
    return c;
  };
  try {
    return await fn(conn, connect);
  } catch (e) {
    throw asUserError(e);
  } finally {
    for (const c of more) c.closeSync();
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * DuckDB errors that come from the data or the query the user's config made (a value that does
 * not convert, a number out of range) fail the same way every time: they become UserErrors, which
 * a run does not retry. Anything else (I/O, memory) may pass and is left as it is.
 */
const DETERMINISTIC = /^(Binder|Conversion|Invalid Input|Out of Range|Parser|Catalog|Constraint|Not implemented) Error: /;
export const isDataError = (e: unknown) => e instanceof Error && DETERMINISTIC.test(e.message);
function asUserError(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof UserError || !DETERMINISTIC.test(e.message)) return e;
  return new UserError(e.message.split("\n")[0]!.slice(0, 500));
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const quoteString = (s: string) => `'${s.replaceAll("'", "''")}'`;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/i;

function columnTypeOf(duckType: string): ColumnType {
  if (NUMERIC.test(duckType)) return "number";
  if (/^BOOLEAN$/i.test(duckType)) return "boolean";
  return "string";
}

/**
 * Millrace's column types for a relation (a table name or a `read_parquet(...)` call). Columns
 * that keep a name and storage type of `like` (a node's input) keep its kind, role, tokens and
 * format: what the user said about a column survives the nodes that pass it on.
 */
export async function describe(conn: Duck, relation: string, like: ColumnSchema[] = []): Promise<{ rows: number; columns: ColumnSchema[] }> {
  const cols = (await duckColumns(conn, relation)).map((c) => ({ name: c.name, type: columnTypeOf(c.duckType) }));
  if (cols.length === 0) return { rows: 0, columns: [] };
  const counts = cols.map((c) => `count(${quoteIdent(c.name)})::DOUBLE`).join(", ");
  const res = await conn.runAndReadAll(`SELECT count(*)::DOUBLE, ${counts} FROM ${relation}`);
  const row = res.getRowsJS()[0] ?? [];
  const rows = Number(row[0] ?? 0);
  return {
    rows,
    columns: cols.map((c, i) => carryMeta({ ...c, nullable: Number(row[i + 1] ?? 0) < rows }, like)),
  };
}

/** A relation's columns with DuckDB's own type names. */
async function duckColumns(conn: Duck, relation: string) {
  const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return desc.getRowObjectsJS().map((r) => ({ name: String(r["column_name"]), duckType: String(r["column_type"]) }));
}

function carryMeta(col: ColumnSchema, like: ColumnSchema[]): ColumnSchema {
  const before = like.find((c) => c.name === col.name);
  if (!before || before.type !== col.type) return col;
  const { name: _n, type: _t, nullable: _u, ...meta } = before;
  return { ...meta, ...col };
}

export const parquet = (file: string) => `read_parquet(${quoteString(file)})`;

export async function writeParquet(conn: Duck, select: string, file: string) {
  await conn.run(`COPY (${select}) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

/**
 * Writes a relation as a CSV file, numbers the way people write them: a whole number stored as
 * a double (every number column is one) as `2007`, not DuckDB's `2007.0` (below 10^16, where
 * DuckDB writes no exponent; `-0` as `0`); any other number in DuckDB's shortest exact spelling.
 */
export async function writeCsv(conn: Duck, relation: string, file: string) {
  const select = (await duckColumns(conn, relation))
    .map((c) => {
      const q = quoteIdent(c.name);
      return /^(DOUBLE|FLOAT|REAL)$/i.test(c.duckType)
        ? `CASE WHEN ${q} = trunc(${q}) AND abs(${q}) < 1e16 THEN CAST(CAST(${q} AS BIGINT) AS VARCHAR) ELSE CAST(${q} AS VARCHAR) END AS ${q}`
        : q;
    })
    .join(", ");
  await conn.run(`COPY (SELECT ${select} FROM ${relation}) TO ${quoteString(file)} (FORMAT csv, HEADER)`);
}

type Value = number | string | boolean | null;

/**
 * Reads whole columns into JS arrays (numbers as doubles, missing values as null); the number
 * columns named in `typed` into Float64Arrays instead, missing values as NaN — no JS value per
 * row (a model's features: ≈ 4 M values for flights' train set).
 */
export async function readColumns(conn: Duck, relation: string, columns: ColumnSchema[]): Promise<Record<string, Value[]>>;
export async function readColumns(conn: Duck, relation: string, columns: ColumnSchema[], typed: ReadonlySet<string>): Promise<Record<string, Value[] | Float64Array>>;
export async function readColumns(conn: Duck, relation: string, columns: ColumnSchema[], typed: ReadonlySet<string> = new Set()): Promise<Record<string, Value[] | Float64Array>> {
  if (columns.length === 0) return {};
  const select = columns
    .map((c) => (c.type === "number" ? `${quoteIdent(c.name)}::DOUBLE AS ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(", ");
  const chunks = await (await conn.run(`SELECT ${select} FROM ${relation}`)).fetchAllChunks();
  // Sized up front and filled in order: holey but not a dictionary (checked with V8's natives
  // for 262k rows), read as fast as a pushed array, and filled faster.
  const n = chunks.reduce((sum, ch) => sum + ch.rowCount, 0);
  const arrays = columns.map((c) => (c.type === "number" && typed.has(c.name) ? new Float64Array(n) : new Array<Value>(n)));
  const texts = columns.map(() => new ShortTexts());
  let at = 0;
  for (const chunk of chunks) {
    for (let c = 0; c < columns.length; c++) {
      const out = arrays[c]!;
      if (out instanceof Float64Array) copyNumbers(chunk.getColumnVector(c), chunk.rowCount, out, at);
      else copyVector(chunk.getColumnVector(c), chunk.rowCount, out, at, texts[c]!);
    }
    at += chunk.rowCount;
  }
  return Object.fromEntries(columns.map((c, i) => [c.name, arrays[i]!]));
}

/**
 * What the library keeps inside a vector (not its public API; `duck.test.ts` compares every
 * read with the library's own conversion): the values' memory and the validity mask as bytes (bit
 * r is row r; null when every row is valid). Null if the layout is not as expected.
 */
export function vectorMemory(v: DuckDBVector): { items: Float64Array | undefined; view: DataView; bits: Uint8Array | null } | null {
  const inner = v as unknown as { items?: Float64Array; dataView?: DataView; validity?: { data?: BigUint64Array | null; offset?: number } };
  const data = inner.items ? new DataView(inner.items.buffer, inner.items.byteOffset, inner.items.byteLength) : inner.dataView;
  const validity = inner.validity;
  if (!data || !validity || validity.offset !== 0 || validity.data === undefined) return null;
  const words = validity.data;
  return { items: inner.items, view: data, bits: words ? new Uint8Array(words.buffer, words.byteOffset, words.byteLength) : null };
}

/** `m` numbers of a vector into `out` from `at`, NaN where missing (straight from the vector's memory for doubles). */
function copyNumbers(v: DuckDBVector, m: number, out: Float64Array, at: number) {
  const memory = v instanceof DuckDBDoubleVector ? vectorMemory(v) : null;
  if (memory?.items) {
    const { items, bits } = memory;
    out.set(items.subarray(0, m), at);
    if (bits) {
      for (let r = 0; r < m; r += 8) {
        const byte = bits[r >>> 3]!;
        if (byte === 255) continue;
        for (let k = r; k < Math.min(m, r + 8); k++) if (!((byte >>> (k & 7)) & 1)) out[at + k] = Number.NaN;
      }
    }
    return;
  }
  const type = v.type;
  for (let r = 0; r < m; r++) {
    const value = JSDuckDBValueConverter(v.getItem(r), type, JSDuckDBValueConverter);
    out[at + r] = value === null ? Number.NaN : Number(value);
  }
}

/** Distinct short texts a column keeps one string of (see copyVector): beyond, texts are made per row. */
const SHORT_TEXTS = 65_536;
/** Slots for texts of 7–12 ASCII bytes (a power of two). */
const SLOTS = 1024;

/** A column's strings for short ASCII texts, kept across chunks (see copyVector). */
class ShortTexts {
  /** Codes of up to six bytes, by one exact number for their length and bytes. */
  readonly codes = new Map<number, string>();
  /** Texts of 7–12 bytes ("on time", a status): the last one in each slot of a hash of their bytes, checked byte for byte. */
  readonly slots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly slotBytes = new Uint8Array(SLOTS * 12);
  readonly slotLength = new Uint8Array(SLOTS);
}

/**
 * `m` values of a vector into `out` from `at`, as the library's JS conversion gives them
 * (`getColumnsObjectJS`), read straight from the vector's memory for doubles and short ASCII
 * text — the columns models read by the million — instead of one callback, validity lookup
 * and decoder call per value. `texts`: the column's strings of short codes, kept across chunks.
 */
function copyVector(v: DuckDBVector, m: number, out: unknown[], at: number, texts: ShortTexts) {
  const memory = v instanceof DuckDBDoubleVector || v instanceof DuckDBVarCharVector ? vectorMemory(v) : null;
  if (memory?.items && v instanceof DuckDBDoubleVector) {
    const { items, bits } = memory;
    for (let r = 0; r < m; r++) out[at + r] = !bits || (bits[r >>> 3]! >>> (r & 7)) & 1 ? items[r]! : null;
    return;
  }
  if (memory && v instanceof DuckDBVarCharVector) {
    // 16 bytes a value: its length, then the text itself when it is 12 bytes or shorter.
    const { view, bits } = memory;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let r = 0; r < m; r++) {
      if (bits && !((bits[r >>> 3]! >>> (r & 7)) & 1)) {
        out[at + r] = null;
        continue;
      }
      const len = view.getUint32(r * 16, true);
      const p = r * 16 + 4;
      let high = 0;
      if (len <= 12) for (let k = 0; k < len; k++) high |= bytes[p + k]!;
      if (len <= 6 && high < 128) {
        // Codes (a carrier, an airport, a tail number): six ASCII bytes and the length are one
        // exact number, which finds the column's one string for them — made once, and hashed once
        // by the maps that count and bin categories.
        let key = len;
        for (let k = 0; k < len; k++) key = key * 128 + bytes[p + k]!;
        let text = texts.codes.get(key);
        if (text === undefined) {
          text = String.fromCharCode.apply(null, bytes.subarray(p, p + len) as unknown as number[]);
          if (texts.codes.size < SHORT_TEXTS) texts.codes.set(key, text);
        }
        out[at + r] = text;
        continue;
      }
      if (len <= 12 && high < 128) {
        // Longer short texts: a column of few values ("late" / "on time") makes each string once.
        let h = 2166136261;
        for (let k = 0; k < len; k++) h = Math.imul(h ^ bytes[p + k]!, 16777619);
        const slot = h & (SLOTS - 1);
        let text = texts.slots[slot];
        if (text !== undefined && texts.slotLength[slot] === len) {
          for (let k = 0; k < len; k++) {
            if (texts.slotBytes[slot * 12 + k] !== bytes[p + k]) {
              text = undefined;
              break;
            }
          }
        } else text = undefined;
        if (text === undefined) {
          text = String.fromCharCode.apply(null, bytes.subarray(p, p + len) as unknown as number[]);
          texts.slots[slot] = text;
          texts.slotLength[slot] = len;
          texts.slotBytes.set(bytes.subarray(p, p + len), slot * 12);
        }
        out[at + r] = text;
        continue;
      }
      out[at + r] = v.getItem(r);
    }
    return;
  }
  const type = v.type;
  for (let r = 0; r < m; r++) out[at + r] = JSDuckDBValueConverter(v.getItem(r), type, JSDuckDBValueConverter);
}
