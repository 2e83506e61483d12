/**
 * The vocabulary of ingest, shared by the engine (workflows/data/ingest), the API and the upload
 * preview in the browser: file formats and dialects, what the user may choose per column, and
 * what a dataset records about where it came from.
 */
import type { ColumnKind, ColumnRole, ColumnSchema } from "./document";

export type SourceFormat = "csv" | "parquet" | "jsonl";

export const encodings = ["utf-8", "utf-16le", "utf-16be", "windows-1252", "latin-1"] as const;
export type Encoding = (typeof encodings)[number];

/** How a delimited text file is written. */
export interface Dialect {
  encoding: Encoding;
  delimiter: string;
  quote: string;
  header: boolean;
  decimal: "." | ",";
  /** Cells written this way are missing values. */
  missing: string[];
}

/** What the user may say about the file instead of letting Millrace find out. */
export type CsvOptions = Partial<Dialect>;

type WarningCode = "empty-header" | "duplicate-header" | "index-column" | "id-like" | "empty-column" | "constant" | "ambiguous-date" | "sampled";

/** Something the user should know about the file, with what Millrace did about it. */
export interface IngestWarning {
  code: WarningCode;
  column?: string;
  message: string;
}

/** A column as the preview shows it: its inferred schema and what it was inferred from. */
export interface ColumnProfile extends ColumnSchema {
  kind: ColumnKind;
  role: ColumnRole;
  /** The header cell as written. */
  source: string;
  missing: number;
  distinct: number;
  /** The most frequent values, as written. */
  samples: string[];
}

/** What the user decided for one column (by its Millrace name in the preview). */
export interface ColumnChoice {
  kind?: ColumnKind;
  role?: ColumnRole;
  rename?: string;
  format?: string;
  tokens?: { true: string[]; false: string[] };
}

export interface Preview {
  format: SourceFormat;
  dialect: Dialect;
  columns: ColumnProfile[];
  warnings: IngestWarning[];
  /** Rows the profile read, and whether that was all of them. */
  rowsRead: number;
  sampled: boolean;
}

/** Where a dataset came from and how it was read. */
export interface DatasetSource {
  filename?: string;
  url?: string;
  format: SourceFormat;
  dialect?: Dialect;
  warnings: IngestWarning[];
}
