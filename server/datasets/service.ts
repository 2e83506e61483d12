import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets } from "~/db/schema";
import { hasControlCharacters, type ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { InvalidError, messageOf, UserError } from "~/lib/errors";
import { csvFileToParquet, csvToParquet } from "~/workflows/data/import-csv";
import { describeQuery } from "~/workflows/data/postgres-source";
import { readSecret, redact } from "~/workflows/secrets";

/** A dataset's name as given: trimmed, 1–200 characters, no control characters. */
export function datasetName(raw: string | null): string {
  const name = raw?.trim() ?? "";
  if (!name) throw InvalidError.withProblems("query parameter 'name' is required", [{ path: "name", message: "is required" }]);
  if (name.length > 200) throw InvalidError.withProblems("name is longer than 200 characters", [{ path: "name", message: "is longer than 200 characters" }]);
  if (hasControlCharacters(name, { name: true })) throw InvalidError.withProblems("name contains a control character", [{ path: "name", message: "contains a control character" }]);
  return name;
}

async function register(db: Db, workspaceId: string, id: string, name: string, stored: { uri: string; rows: number; columns: ColumnSchema[] }) {
  await db.insert(datasets).values({ id, workspaceId, name, artifactUri: stored.uri, rows: stored.rows, columns: stored.columns });
  return { id, name, rows: stored.rows, columns: stored.columns };
}

/** Stores a CSV file (an upload already on disk) as Parquet and registers the dataset. Bad CSV is an InvalidError naming the line. */
export async function importCsvFile(db: Db, artifacts: ArtifactStore, workspaceId: string, name: string, file: string) {
  const id = randomUUID();
  return register(db, workspaceId, id, name, await csvFileToParquet(artifacts, `datasets/${id}/data.parquet`, file));
}

/** The same for a CSV in memory (the demo seed). */
export async function importCsv(db: Db, artifacts: ArtifactStore, workspaceId: string, name: string, csv: Uint8Array) {
  const id = randomUUID();
  return register(db, workspaceId, id, name, await csvToParquet(artifacts, `datasets/${id}/data.parquet`, csv));
}

export async function listDatasets(db: Db, workspaceId: string) {
  return db
    .select({ id: datasets.id, name: datasets.name, rows: datasets.rows, columns: datasets.columns, createdAt: datasets.createdAt })
    .from(datasets)
    .where(eq(datasets.workspaceId, workspaceId))
    .orderBy(desc(datasets.createdAt));
}

/** The datasets a pipeline of this workspace may read, with their columns. */
export async function datasetColumnsMap(db: Db, workspaceId: string): Promise<Map<string, ColumnSchema[]>> {
  const rows = await db.select({ id: datasets.id, columns: datasets.columns }).from(datasets).where(eq(datasets.workspaceId, workspaceId));
  return new Map(rows.map((r) => [r.id, r.columns]));
}

/**
 * The columns a PostgreSQL query returns (for the query node's Describe), read with a secret of
 * the workspace. Whatever goes wrong, the message never carries the secret.
 */
export async function describeSourceQuery(db: Db, workspaceId: string, secretName: string, query: string) {
  const connection = await readSecret(db, workspaceId, secretName);
  try {
    return await describeQuery(connection, query);
  } catch (e) {
    // A new error of the same kind, without the original's stack or cause, which held the text unredacted.
    const message = redact(messageOf(e), [connection]);
    throw e instanceof UserError ? new UserError(message) : new Error(message);
  }
}
