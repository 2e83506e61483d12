/**
 * A CSV file in, Parquet in the artifact store out, with memory bounded whatever the file's
 * size: the header is read and checked first (names, count, characters), then DuckDB streams the
 * rows straight into Parquet under a memory limit. When DuckDB rejects the file, a streaming
 * csv-parse pass finds the first offending line for the message.
 */
import fs from "node:fs";
import { finished } from "node:stream/promises";
import { parse } from "csv-parse";
import { env } from "~/lib/env";
import { InvalidError, messageOf } from "~/lib/errors";
import { hasControlCharacters, type ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { columnTypeOf, describe, isDataError, quoteIdent, quoteString, withDuck, writeParquet } from "./duck";

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

const limitsFromEnv = (): CsvLimits => ({ maxColumns: env().MAX_CSV_COLUMNS, maxLineBytes: env().MAX_CSV_LINE_BYTES });

/** The first record of the file: the column names, checked before anything else reads the file. */
async function readHeader(file: string, limits: CsvLimits): Promise<string[]> {
  const parser = fs.createReadStream(file, { end: limits.maxLineBytes }).pipe(parse({ bom: true, to_line: 1, relax_column_count: true, skip_empty_lines: false }));
  let header: string[] | undefined;
  try {
    for await (const record of parser) {
      header ??= record as string[];
      break;
    }
  } catch (e) {
    throw new CsvError(`line 1 (the header): ${messageOf(e)}`, 1);
  } finally {
    parser.destroy();
  }
  if (!header || header.every((h) => h.trim() === "")) throw new CsvError("the first line must name the columns; it is empty", 1);
  if (header.length > limits.maxColumns) {
    throw new CsvError(`the CSV has ${header.length} columns; at most ${limits.maxColumns} are accepted (MAX_CSV_COLUMNS)`, 1);
  }
  const seen = new Map<string, number>();
  header.forEach((raw, i) => {
    const name = raw.trim();
    if (!name) throw new CsvError(`column ${i + 1} has no name in the header`, 1);
    if (hasControlCharacters(name, { name: true })) throw new CsvError(`the name of column ${i + 1} contains a control character`, 1);
    const first = seen.get(name);
    if (first !== undefined) throw new CsvError(`column '${name}' appears twice in the header (columns ${first + 1} and ${i + 1})`, 1);
    seen.set(name, i);
  });
  return header.map((h) => h.trim());
}

/** Streams the file through a strict parser and names the first line it rejects. */
async function findBadLine(file: string, columns: number, limits: CsvLimits): Promise<CsvError | undefined> {
  const parser = fs
    .createReadStream(file)
    .pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: limits.maxLineBytes, info: true }));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (record.length !== columns) {
        return new CsvError(`line ${info.lines}: expected ${columns} fields as in the header, found ${record.length}`, info.lines);
      }
    }
    await finished(parser);
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    const msg = messageOf(e).replace(/^Invalid Record Length: /, "").replace(/ on line \d+$/, "");
    return line ? new CsvError(`line ${line}: ${msg}`, line) : new CsvError(msg);
  } finally {
    parser.destroy();
  }
  return undefined;
}

function duckErrorMessage(e: unknown): CsvError {
  const msg = messageOf(e);
  const line = /Line:\s*(\d+)/i.exec(msg)?.[1];
  const first = msg.split("\n")[0]!.replace(/^[A-Za-z ]+Error:\s*/, "").slice(0, 300);
  return line ? new CsvError(`line ${line}: ${first}`, Number(line)) : new CsvError(first);
}

/** Reads a CSV file with DuckDB (strict, typed) and stores it as Parquet under `key`. */
export async function csvFileToParquet(
  artifacts: ArtifactStore,
  key: string,
  file: string,
  limits: CsvLimits = limitsFromEnv(),
): Promise<{ uri: string; rows: number; columns: ColumnSchema[] }> {
  if ((await fs.promises.stat(file)).size === 0) throw new CsvError("the CSV is empty");
  const names = await readHeader(file, limits);
  const dir = await artifacts.scratchDir();
  const out = `${dir}/data.parquet`;
  try {
    const shape = await withDuck(async (conn) => {
      // The header is ours (names given), so a ragged row is an error rather than a new header.
      const source = `read_csv(${quoteString(file)}, header = true, names = [${names.map(quoteString).join(", ")}], skip = 0, delim = ',', quote = '"', escape = '"', auto_detect = true, strict_mode = true, sample_size = -1, null_padding = false, max_line_size = ${limits.maxLineBytes})`;
      let described;
      try {
        described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS();
        // Keep numbers and booleans; anything else (dates, times) is text to Millrace.
        const select = described
          .map((r) => {
            const name = String(r["column_name"]);
            const t = columnTypeOf(String(r["column_type"]));
            return t === "string" && !/^VARCHAR$/i.test(String(r["column_type"])) ? `${quoteIdent(name)}::VARCHAR AS ${quoteIdent(name)}` : quoteIdent(name);
          })
          .join(", ");
        await writeParquet(conn, `SELECT ${select} FROM ${source}`, out);
      } catch (e) {
        // The file's fault is named by line; anything else (disk, memory) is not the user's.
        const bad = await findBadLine(file, names.length, limits);
        if (bad) throw bad;
        throw isDataError(e) ? duckErrorMessage(e) : e;
      }
      return describe(conn, `read_parquet(${quoteString(out)})`);
    });
    if (shape.rows === 0) throw new CsvError("the CSV has a header but no rows");
    return { uri: await artifacts.putFile(key, out), ...shape };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** The same, for a CSV held in memory (the demo seed, tests). */
export async function csvToParquet(artifacts: ArtifactStore, key: string, csv: Uint8Array): Promise<{ uri: string; rows: number; columns: ColumnSchema[] }> {
  const dir = await artifacts.scratchDir();
  try {
    await fs.promises.writeFile(`${dir}/upload.csv`, csv);
    return await csvFileToParquet(artifacts, key, `${dir}/upload.csv`);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
