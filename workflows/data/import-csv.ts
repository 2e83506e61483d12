/**
 * CSV in, Parquet in the artifact store out: DuckDB reads the upload strictly; when it rejects
 * the file, a strict csv-parse pass finds the first offending line for the message.
 */
import fs from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { InvalidError, messageOf } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { columnTypeOf, describe, quoteIdent, quoteString, withDuck, writeParquet } from "./duck";

export const MAX_CSV_BYTES = 512 * 1024 * 1024;

/** The upload is not usable CSV; `details.line` is 1-based in the uploaded file when known. */
export class CsvError extends InvalidError {
  constructor(message: string, line?: number) {
    super(message, { line: line ?? null });
  }
  get line(): number | undefined {
    return (this.details.line as number | null) ?? undefined;
  }
}

function csvErrorFrom(e: unknown, csv: Uint8Array): CsvError {
  try {
    parse(Buffer.from(csv.buffer, csv.byteOffset, csv.byteLength), { bom: true, skip_empty_lines: true });
  } catch (pe) {
    const lines = (pe as { lines?: number }).lines;
    const msg = messageOf(pe).replace(/^Invalid Record Length: /, "");
    if (lines) return new CsvError(`line ${lines}: ${msg}`, lines);
    return new CsvError(msg);
  }
  const msg = messageOf(e);
  const line = /Line:\s*(\d+)/i.exec(msg)?.[1];
  const first = msg.split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").slice(0, 300);
  return line ? new CsvError(`line ${line}: ${first}`, Number(line)) : new CsvError(first);
}

/** Parses CSV with DuckDB (strict) and stores it as Parquet under `key`. */
export async function csvToParquet(artifacts: ArtifactStore, key: string, csv: Uint8Array): Promise<{ uri: string; rows: number; columns: ColumnSchema[] }> {
  if (csv.byteLength === 0) throw new CsvError("the CSV body is empty");
  if (csv.byteLength > MAX_CSV_BYTES) throw new CsvError(`the CSV is larger than ${MAX_CSV_BYTES} bytes`);
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
    return { uri: await artifacts.putFile(key, out), ...shape };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
