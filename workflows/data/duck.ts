/**
 * DuckDB is Millrace's tabular engine: CSV import, cleaning, derived columns and splits run
 * as SQL over Parquet files instead of loops over JS objects.
 */
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { env } from "~/lib/env";
import { UserError } from "~/lib/errors";
import type { ColumnSchema, ColumnType } from "~/lib/pipeline/document";

export type Duck = DuckDBConnection;

/**
 * A fresh in-memory database per unit of work; it is cheap and leaves nothing shared behind.
 * Its memory is capped (DUCKDB_MEMORY_LIMIT): large data spills to files under the data dir,
 * which DuckDB removes when the work is done.
 */
export async function withDuck<T>(fn: (conn: Duck) => Promise<T>): Promise<T> {
  const e = env();
  const spill = path.join(e.dataDir, "tmp", "duckdb");
  // DuckDB creates its spill directory but not the ones above it.
  fs.mkdirSync(spill, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: e.DUCKDB_MEMORY_LIMIT, temp_directory: spill });
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } catch (e) {
    throw asUserError(e);
  } finally {
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
  const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  const cols = desc.getRowObjectsJS().map((r) => ({
    name: String(r["column_name"]),
    type: columnTypeOf(String(r["column_type"])),
  }));
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

/** Reads whole columns into JS arrays (numbers as doubles, missing values as null). */
export async function readColumns(
  conn: Duck,
  relation: string,
  columns: ColumnSchema[],
): Promise<Record<string, (number | string | boolean | null)[]>> {
  if (columns.length === 0) return {};
  const select = columns
    .map((c) => (c.type === "number" ? `${quoteIdent(c.name)}::DOUBLE AS ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(", ");
  const res = await conn.runAndReadAll(`SELECT ${select} FROM ${relation}`);
  return res.getColumnsObjectJS() as Record<string, (number | string | boolean | null)[]>;
}
