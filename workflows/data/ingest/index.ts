/**
 * Ingest: a file in (an upload, a download), a typed Parquet dataset out. The preview and the
 * import share one path (./csv.ts); what the user changed between them arrives as options for
 * the file (dialect) and choices per column (kind, role, name).
 */
import fs from "node:fs";
import { env } from "~/lib/env";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import type { ColumnChoice, CsvOptions, Dialect, IngestWarning, Preview, SourceFormat } from "~/lib/pipeline/ingest";
import { applyChoices, csvToParquetFile, prepareCsv, prepareTyped, profileCsv, type CsvLimits, type PreparedCsv } from "./csv";

export { CsvError } from "./csv";
export { parseEncoding } from "./encoding";

const limitsFromEnv = (): CsvLimits => ({ maxColumns: env().MAX_CSV_COLUMNS, maxLineBytes: env().MAX_CSV_LINE_BYTES });

/** Rows read to infer kinds for a preview; every row is checked when the dataset is written. */
const PREVIEW_ROWS = 20_000;

/**
 * The format of a file: Parquet by its magic bytes, JSON Lines by its name or a first `{`, CSV
 * (or TSV, or any delimited text) otherwise.
 */
export async function detectFormat(file: string, filename = ""): Promise<SourceFormat> {
  const fh = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.subarray(0, 4).toString("latin1") === "PAR1" || /\.(parquet|pq)$/i.test(filename)) return "parquet";
    if (/\.(jsonl|ndjson)$/i.test(filename)) return "jsonl";
    if (!/\.(csv|tsv|txt)$/i.test(filename) && head.toString("utf8").replace(/^\uFEFF/, "").trimStart().startsWith("{")) return "jsonl";
    return "csv";
  } finally {
    await fh.close();
  }
}

function prepare(file: string, format: SourceFormat, scratchDir: string, options: CsvOptions, limits: CsvLimits): Promise<PreparedCsv> {
  return format === "csv" ? prepareCsv(file, scratchDir, options, limits) : prepareTyped(file, format, limits);
}

/** What a file looks like to Millrace: dialect, columns with inferred kinds and roles, warnings. */
export async function previewFile(file: string, format: SourceFormat, scratchDir: string, options: CsvOptions = {}, sampleRows = PREVIEW_ROWS): Promise<Preview> {
  const limits = limitsFromEnv();
  return { format, ...(await profileCsv(await prepare(file, format, scratchDir, options, limits), limits, sampleRows)) };
}

export interface StoredDataset {
  uri: string;
  rows: number;
  columns: ColumnSchema[];
  warnings: IngestWarning[];
  /** How a CSV was read (absent for typed formats). */
  dialect?: Dialect;
}

/**
 * Writes a file as a dataset under `key`: the preview's inference with the user's choices on top,
 * every row converted and checked. `previewed`: the preview the user saw of this file with these
 * options (previewFile's), so that it is not inferred twice; it is inferred again when the file
 * reads otherwise now (another dialect or header).
 */
export async function importFile(
  artifacts: ArtifactStore,
  key: string,
  file: string,
  format: SourceFormat,
  options: CsvOptions = {},
  choices: Record<string, ColumnChoice> = {},
  previewed?: Preview,
): Promise<StoredDataset> {
  const limits = limitsFromEnv();
  const dir = await artifacts.scratchDir();
  try {
    const prepared = await prepare(file, format, dir, options, limits);
    const same = previewed?.format === format && JSON.stringify(previewed.dialect) === JSON.stringify(prepared.dialect) && previewed.columns.map((c) => c.name).join("\u0000") === prepared.names.join("\u0000");
    const preview = same ? previewed : await profileCsv(prepared, limits, PREVIEW_ROWS);
    const columns = applyChoices(preview.columns, choices);
    const stored = await csvToParquetFile(prepared, columns, `${dir}/data.parquet`, limits);
    return { uri: await artifacts.putFile(key, `${dir}/data.parquet`), ...stored, warnings: preview.warnings, ...(format === "csv" ? { dialect: preview.dialect } : {}) };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** The same for a CSV held in memory (the demo seed, tests). */
export async function importCsvBytes(artifacts: ArtifactStore, key: string, csv: Uint8Array, options: CsvOptions = {}, choices: Record<string, ColumnChoice> = {}): Promise<StoredDataset> {
  const dir = await artifacts.scratchDir();
  try {
    await fs.promises.writeFile(`${dir}/upload.csv`, csv);
    return await importFile(artifacts, key, `${dir}/upload.csv`, "csv", options, choices);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
