/**
 * Batch scoring's activities: the worker-side half of `scoreBatch`. Each chunk reads its rows
 * from the dataset's Parquet file by position (DuckDB's `file_row_number`, so a retry reads the
 * very same rows), checks them as an endpoint checks a request, scores them with the job's model
 * version and writes its part: the dataset's columns untouched, then the prediction, the class
 * probabilities and, for a row that could not be scored, why. Created from a factory so tests can
 * inject their own database and artifact store.
 */
import path from "node:path";
import fs from "node:fs/promises";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { batchScores, datasets, modelVersions } from "~/db/schema";
import { isDeterministic, messageOf, UserError } from "~/lib/errors";
import { withoutLocalPaths } from "~/lib/env";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { quoteString, withDuck, writeCsv } from "~/workflows/data/duck";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { inputColumns, type InputField } from "~/workflows/model/signature";
import { USER_ERROR_TYPE, type BatchActivities } from "~/workflows/temporal/shared";
import { chunkCount, partKey, resultKey, scoreColumns, scoringProblems, type ScoreColumns } from "./columns";
import { joinedParts, scoreRange } from "./score";

export interface BatchActivityDeps {
  db: Db;
  artifacts: ArtifactStore;
}


/** Bad data or a deleted dataset fails the job at once; anything else is retried. */
async function failingClearly<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const message = withoutLocalPaths(messageOf(e));
    if (isDeterministic(e)) throw ApplicationFailure.nonRetryable(message, USER_ERROR_TYPE);
    throw e;
  }
}

export function createBatchActivities({ db, artifacts }: BatchActivityDeps): BatchActivities {
  // A worker scores chunk after chunk of the same job: parse its model once.
  const models = new Map<string, Promise<LoadedModel>>();
  const modelOf = (uri: string) => {
    let m = models.get(uri);
    if (!m) {
      if (models.size >= 4) models.delete(models.keys().next().value!);
      m = artifacts.getBytes(uri).then((bytes) => loadModel(parseModelFile(bytes)));
      m.catch(() => models.delete(uri));
      models.set(uri, m);
    }
    return m;
  };

  async function jobOf(batchId: string) {
    const [row] = await db
      .select({ job: batchScores, version: modelVersions, dataset: datasets })
      .from(batchScores)
      .innerJoin(modelVersions, eq(modelVersions.id, batchScores.modelVersionId))
      .leftJoin(datasets, eq(datasets.id, batchScores.datasetId))
      .where(eq(batchScores.id, batchId));
    if (!row) throw new UserError(`batch score ${batchId} is not recorded`);
    if (!row.dataset) throw new UserError(`dataset '${row.job.datasetName}' was deleted; it can no longer be scored`);
    const model = await modelOf(row.version.artifactUri);
    const fields = (row.version.inputSchema as InputField[] | null) ?? inputColumns(model.file);
    return { ...row, dataset: row.dataset, model, fields };
  }

  /** Scores rows [index × chunkRows, …) of a job into its part file; records what it wrote. */
  async function scoreChunk(batchId: string, index: number, heartbeat: () => void) {
    const { job, dataset, model, fields } = await jobOf(batchId);
    const columns = scoreColumns(model.file, dataset.columns, !!model.predictProba);
    const start = index * job.chunkRows;
    const end = Math.min(start + job.chunkRows, job.rowsTotal);
    const source = await artifacts.localPath(dataset.artifactUri);
    const scratch = await artifacts.scratchDir();
    try {
      const part = path.join(scratch, "part.parquet");
      const result = await scoreRange({ source, start, end, model, fields, columns: dataset.columns, added: columns, part, heartbeat });
      await artifacts.putFile(partKey(batchId, index), part);
      await db
        .update(batchScores)
        .set({ chunks: sql`jsonb_set(${batchScores.chunks}, ${`{${index}}`}::text[], ${JSON.stringify(result)}::jsonb)` })
        .where(eq(batchScores.id, batchId));
      return result;
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  return {
    startBatchScore: (batchId) =>
      failingClearly(async () => {
        const { job, dataset, model, fields } = await jobOf(batchId);
        const problems = scoringProblems(fields, dataset.columns, dataset.name);
        if (problems.length) throw new UserError(problems.join("; "));
        const columns = scoreColumns(model.file, dataset.columns, !!model.predictProba);
        await db
          .update(batchScores)
          .set({ status: "running", startedAt: sql`coalesce(${batchScores.startedAt}, now())`, outputColumns: outputNames(columns) })
          .where(eq(batchScores.id, batchId));
        return { chunks: chunkCount(job.rowsTotal, job.chunkRows) };
      }),

    scoreBatchChunk: ({ batchId, index }) =>
      failingClearly(async () => {
        const actx = Context.current();
        // A heartbeat every second, whatever the step: a worker that dies is noticed within the timeout.
        const beat = setInterval(() => actx.heartbeat({ index }), 1000);
        try {
          return await scoreChunk(batchId, index, () => actx.heartbeat({ index }));
        } finally {
          clearInterval(beat);
        }
      }),

    mergeBatchScore: (batchId) =>
      failingClearly(async () => {
        const [job] = await db.select().from(batchScores).where(eq(batchScores.id, batchId));
        if (!job) throw new UserError(`batch score ${batchId} is not recorded`);
        const parts = await Promise.all(
          Array.from({ length: chunkCount(job.rowsTotal, job.chunkRows) }, (_, i) => artifacts.localPath(`artifact:${partKey(batchId, i)}`)),
        );
        const scratch = await artifacts.scratchDir();
        try {
          const csv = path.join(scratch, "scored.csv");
          const parquet = path.join(scratch, "scored.parquet");
          await withDuck(async (conn) => {
            await conn.run(`COPY ${joinedParts(parts)} TO ${quoteString(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
            await writeCsv(conn, `read_parquet(${quoteString(parquet)})`, csv);
          });
          await artifacts.putFile(resultKey(batchId, "parquet"), parquet);
          const resultUri = await artifacts.putFile(resultKey(batchId, "csv"), csv);
          const { size } = await fs.stat(csv);
          await db.update(batchScores).set({ resultUri, resultBytes: size }).where(eq(batchScores.id, batchId));
        } finally {
          await fs.rm(scratch, { recursive: true, force: true });
        }
      }),

    async finishBatchScore({ batchId, status, error }) {
      await db
        .update(batchScores)
        .set({ status, error: error === null ? null : withoutLocalPaths(error).slice(0, 2000), finishedAt: new Date() })
        .where(eq(batchScores.id, batchId));
    },
  };
}

/** The names of the columns scoring adds, in file order. */
const outputNames = (c: ScoreColumns) => [c.prediction, ...c.probabilities.map((p) => p.column), c.error];
