import fs from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { datasets } from "../../db/schema";
import type { ColumnSchema } from "../../workflows/graph";
import type { ArtifactStore } from "../artifacts/store";
import { columnTypeOf, describe, quoteIdent, quoteString, withDuck, writeParquet } from "../data/duck";

/** The upload is not usable CSV; `line` is 1-based in the uploaded file when known. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export const MAX_CSV_BYTES = 512 * 1024 * 1024;

/**
 * DuckDB's reader is fast but its errors rarely name a line. When it rejects a file, a
 * strict csv-parse pass finds the first offending line for the message.
 */
function csvErrorFrom(e: unknown, csv: Uint8Array): CsvError {
  try {
    parse(Buffer.from(csv.buffer, csv.byteOffset, csv.byteLength), { bom: true, skip_empty_lines: true });
  } catch (pe) {
    const lines = (pe as { lines?: number }).lines;
    const msg = (pe as Error).message.replace(/^Invalid Record Length: /, "");
    if (lines) return new CsvError(`line ${lines}: ${msg}`, lines);
    return new CsvError(msg);
  }
  const msg = e instanceof Error ? e.message : String(e);
  const line = /Line:\s*(\d+)/i.exec(msg)?.[1];
  const first = msg.split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").slice(0, 300);
  return line ? new CsvError(`line ${line}: ${first}`, Number(line)) : new CsvError(first);
}

/** Parses CSV with DuckDB (strict), stores it as Parquet and registers the dataset. */
export async function importCsv(db: Db, artifacts: ArtifactStore, name: string, csv: Uint8Array) {
  if (csv.byteLength === 0) throw new CsvError("the CSV body is empty");
  if (csv.byteLength > MAX_CSV_BYTES) throw new CsvError(`the CSV is larger than ${MAX_CSV_BYTES} bytes`);
  const id = randomUUID();
  const dir = await artifacts.scratchDir();
  const src = `${dir}/upload.csv`;
  const out = `${dir}/data.parquet`;
  await fs.writeFile(src, csv);
  try {
    const shape = await withDuck(async (conn) => {
      try {
        await conn.run(
          `CREATE TABLE upload AS SELECT * FROM read_csv(${quoteString(src)}, header = true, delim = ',', quote = '\"', escape = '\"', auto_detect = true, strict_mode = true, sample_size = -1, null_padding = false)`,
        );
      } catch (e) {
        throw csvErrorFrom(e, csv);
      }
      const desc = (await conn.runAndReadAll("DESCRIBE upload")).getRowObjectsJS();
      if (desc.length === 0) throw new CsvError("the CSV has no columns");
      // Keep numbers and booleans; anything else (dates, times) is text to Millrace.
      const select = desc
        .map((r) => {
          const name = String(r["column_name"]);
          const t = columnTypeOf(String(r["column_type"]));
          return t === "string" && !/^VARCHAR$/i.test(String(r["column_type"]))
            ? `${quoteIdent(name)}::VARCHAR AS ${quoteIdent(name)}`
            : quoteIdent(name);
        })
        .join(", ");
      await writeParquet(conn, `SELECT ${select} FROM upload`, out);
      return describe(conn, "upload");
    });
    if (shape.rows === 0) throw new CsvError("the CSV has a header but no rows");
    const uri = await artifacts.putFile(`datasets/${id}/data.parquet`, out);
    await db.insert(datasets).values({ id, name, artifactUri: uri, rows: shape.rows, columns: shape.columns });
    return { id, name, rows: shape.rows, columns: shape.columns };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function listDatasets(db: Db) {
  return db
    .select({ id: datasets.id, name: datasets.name, rows: datasets.rows, columns: datasets.columns, createdAt: datasets.createdAt })
    .from(datasets)
    .orderBy(desc(datasets.createdAt));
}

export async function datasetColumnsMap(db: Db): Promise<Map<string, ColumnSchema[]>> {
  const rows = await db.select({ id: datasets.id, columns: datasets.columns }).from(datasets);
  return new Map(rows.map((r) => [r.id, r.columns]));
}

export async function getDataset(db: Db, id: string) {
  const [row] = await db.select().from(datasets).where(eq(datasets.id, id));
  return row;
}
