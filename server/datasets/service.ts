import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets } from "~/db/schema";
import { hasControlCharacters } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { InvalidError, messageOf, UserError } from "~/lib/errors";
import type { ColumnChoice, CsvOptions, DatasetSource, SourceFormat } from "~/lib/pipeline/ingest";
import { importCsvBytes, importFile, type StoredDataset } from "~/workflows/data/ingest";
import { describeQuery } from "~/workflows/data/postgres-source";
import { readSecret, redact } from "~/workflows/secrets";
import { fileOf, lastPreview, removeUpload, type StagedUpload } from "./uploads";

/** A dataset's name as given: trimmed, 1–200 characters, no control characters. */
export function datasetName(raw: string | null): string {
  const name = raw?.trim() ?? "";
  if (!name) throw InvalidError.withProblems("query parameter 'name' is required", [{ path: "name", message: "is required" }]);
  if (name.length > 200) throw InvalidError.withProblems("name is longer than 200 characters", [{ path: "name", message: "is longer than 200 characters" }]);
  if (hasControlCharacters(name, { name: true })) throw InvalidError.withProblems("name contains a control character", [{ path: "name", message: "contains a control character" }]);
  return name;
}

async function register(db: Db, workspaceId: string, id: string, name: string, stored: StoredDataset, source: Omit<DatasetSource, "warnings">) {
  const record: DatasetSource = { ...source, warnings: stored.warnings };
  await db.insert(datasets).values({ id, workspaceId, name, artifactUri: stored.uri, rows: stored.rows, columns: stored.columns, source: record });
  return { id, name, rows: stored.rows, columns: stored.columns, source: record };
}

/** What a client may say about reading a file and about its columns. */
export interface ImportRequest {
  options?: CsvOptions;
  columns?: Record<string, ColumnChoice>;
}

/** Stores a staged upload as a dataset (the user's choices on top of the inference) and removes the upload. */
export async function importUpload(db: Db, artifacts: ArtifactStore, upload: StagedUpload, name: string, req: ImportRequest = {}) {
  const id = randomUUID();
  // Saved as previewed with the same options: the dialect the preview found (its encoding, delimiter
  // and decimal mark are not detected again) and its columns.
  const previewed = await lastPreview(upload, req.options);
  const options = previewed && upload.format === "csv" ? previewed.dialect : req.options;
  const stored = await importFile(artifacts, `datasets/${id}/data.parquet`, fileOf(upload), upload.format, options, req.columns, previewed);
  const ds = await register(db, upload.workspaceId, id, name, stored, { filename: upload.filename, url: upload.url, format: upload.format, ...(upload.format === "csv" ? { dialect: stored.dialect } : {}) });
  await removeUpload(upload.id);
  return ds;
}

/** Stores a file already on disk (a one-shot upload) as a dataset. */
export async function importFileAsDataset(db: Db, artifacts: ArtifactStore, workspaceId: string, name: string, file: string, format: SourceFormat, req: ImportRequest = {}) {
  const id = randomUUID();
  const stored = await importFile(artifacts, `datasets/${id}/data.parquet`, file, format, req.options, req.columns);
  return register(db, workspaceId, id, name, stored, { format, ...(format === "csv" ? { dialect: stored.dialect } : {}) });
}

/** The same for a CSV in memory (the demo seed, tests). */
export async function importCsv(db: Db, artifacts: ArtifactStore, workspaceId: string, name: string, csv: Uint8Array, req: ImportRequest = {}) {
  const id = randomUUID();
  return register(db, workspaceId, id, name, await importCsvBytes(artifacts, `datasets/${id}/data.parquet`, csv, req.options, req.columns), { format: "csv" });
}

/**
 * A workspace's datasets, newest first. Uploads under one name are versions of it: `version`
 * counts them in upload order, `versions` says how many the name has (the newest is the one a
 * trigger on the name hands to its pipeline).
 */
export async function listDatasets(db: Db, workspaceId: string) {
  return db
    .select({
      id: datasets.id,
      name: datasets.name,
      rows: datasets.rows,
      columns: datasets.columns,
      source: datasets.source,
      createdAt: datasets.createdAt,
      version: sql<number>`(row_number() over (partition by ${datasets.name} order by ${datasets.createdAt}))::int`,
      versions: sql<number>`(count(*) over (partition by ${datasets.name}))::int`,
    })
    .from(datasets)
    .where(eq(datasets.workspaceId, workspaceId))
    .orderBy(desc(datasets.createdAt));
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

export async function renameDataset(db: Db, id: string, name: string) {
  const [d] = await db.update(datasets).set({ name: datasetName(name) }).where(eq(datasets.id, id)).returning({ id: datasets.id });
  return d;
}

/** The pipelines whose latest version reads a dataset, in a node or as a parameter's default (what deleting it would break). */
export async function datasetUsage(db: Db, id: string) {
  const rows = (await db.execute(sql`select p.id, p.name from pipeline p
      join pipeline_version v on v.pipeline_id = p.id and v.version = p.latest_version
      where v.graph->'nodes' @> ${JSON.stringify([{ config: { datasetId: id } }])}::jsonb
         or v.graph->'parameters' @> ${JSON.stringify([{ type: "dataset", default: id }])}::jsonb
      order by p.name`)) as unknown as { id: string; name: string }[];
  return rows.map((r) => ({ id: r.id, name: r.name }));
}

/**
 * A copy of a dataset under a name no dataset of the workspace has ("… (copy)", "… (copy 2)", …),
 * so that it is the first version of its name and no trigger on another name fires: the same
 * stored data (datasets are immutable; garbage collection keeps an artifact any dataset names),
 * columns, roles and source.
 */
export async function duplicateDataset(db: Db, id: string) {
  const [d] = await db.select().from(datasets).where(eq(datasets.id, id));
  if (!d) return undefined;
  const base = `${d.name.slice(0, 180)} (copy`;
  // Only the names a copy could take are read, not every dataset of the workspace.
  const taken = new Set(
    (await db.select({ name: datasets.name }).from(datasets).where(and(eq(datasets.workspaceId, d.workspaceId), sql`starts_with(${datasets.name}, ${base})`))).map((r) => r.name),
  );
  let name = "";
  for (let i = 1; !name || taken.has(name); i++) name = `${base}${i > 1 ? ` ${i}` : ""})`;
  const [copy] = await db
    .insert(datasets)
    .values({ workspaceId: d.workspaceId, name, artifactUri: d.artifactUri, rows: d.rows, columns: d.columns, source: d.source })
    .returning({ id: datasets.id, name: datasets.name });
  return copy;
}

/**
 * Removes a dataset from the workspace. Its file stays in the artifact store: runs that read it
 * keep their results and models (which carry everything they need to serve).
 */
export async function deleteDataset(db: Db, id: string) {
  const [d] = await db.delete(datasets).where(eq(datasets.id, id)).returning({ id: datasets.id, name: datasets.name });
  return d;
}
