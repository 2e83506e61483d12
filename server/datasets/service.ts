import { randomUUID } from "node:crypto";
import { desc } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets } from "~/db/schema";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { csvToParquet } from "~/workflows/data/import-csv";

/** Stores an uploaded CSV as Parquet and registers the dataset. Bad CSV is an InvalidError naming the line. */
export async function importCsv(db: Db, artifacts: ArtifactStore, name: string, csv: Uint8Array) {
  const id = randomUUID();
  const { uri, rows, columns } = await csvToParquet(artifacts, `datasets/${id}/data.parquet`, csv);
  await db.insert(datasets).values({ id, name, artifactUri: uri, rows, columns });
  return { id, name, rows, columns };
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
