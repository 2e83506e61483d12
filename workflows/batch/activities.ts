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
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { batchScores, datasets, modelVersions } from "~/db/schema";
import { isDeterministic, messageOf, UserError } from "~/lib/errors";
import { withoutLocalPaths } from "~/lib/env";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { parseModelFile, type Label } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { inputColumns, type InputField } from "~/workflows/model/signature";
import { validateInstances } from "~/workflows/model/validate";
import { USER_ERROR_TYPE, type BatchActivities } from "~/workflows/temporal/shared";
import { chunkCount, partKey, predictionType, resultKey, scoreColumns, scoringProblems, type ScoreColumns } from "./columns";

export interface BatchActivityDeps {
  db: Db;
  artifacts: ArtifactStore;
}

/** Rows scored between heartbeats (and between yields to the event loop). */
const SLICE_ROWS = 5000;


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
      const result = await withDuck(async (conn) => {
        const rowsOf = `(SELECT * FROM read_parquet(${quoteString(source)}, file_row_number = true) WHERE file_row_number >= ${start} AND file_row_number < ${end})`;
        const read = readable(fields, dataset.columns);
        const list = read.map((c) => (c.type === "number" ? `${quoteIdent(c.name)}::DOUBLE AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
        const res = await conn.runAndReadAll(`SELECT ${["file_row_number", ...list].join(", ")} FROM ${rowsOf} ORDER BY file_row_number`);
        const data = res.getColumnsObjectJS() as Record<string, unknown[]>;
        const positions = (data["file_row_number"] ?? []).map(Number);
        const rows = positions.map((_, r) => Object.fromEntries(read.map((c) => [c.name, data[c.name]![r]])));

        const scored = await scoreRows(model, fields, rows, heartbeat);
        await conn.run(
          `CREATE TABLE scores (rn BIGINT, prediction ${predictionType(model.file)}, ${columns.probabilities.map((_, k) => `p${k} DOUBLE, `).join("")}err VARCHAR)`,
        );
        const appender = await conn.createAppender("scores");
        const appendLabel = labelAppender(appender, predictionType(model.file));
        for (let r = 0; r < positions.length; r++) {
          appender.appendBigInt(BigInt(positions[r]!));
          const s = scored[r]!;
          if (s.error === null) appendLabel(s.prediction!);
          else appender.appendNull();
          for (let k = 0; k < columns.probabilities.length; k++) {
            const p = s.probabilities?.[columns.probabilities[k]!.label];
            if (p === undefined) appender.appendNull();
            else appender.appendDouble(p);
          }
          if (s.error === null) appender.appendNull();
          else appender.appendVarchar(s.error);
          appender.endRow();
        }
        appender.closeSync();
        const added = [
          `s.prediction AS ${quoteIdent(columns.prediction)}`,
          ...columns.probabilities.map((p, k) => `s.p${k} AS ${quoteIdent(p.column)}`),
          `s.err AS ${quoteIdent(columns.error)}`,
        ];
        // file_row_number stays in the part: the merge orders by it, then drops it.
        await conn.run(
          `COPY (SELECT src.*, ${added.join(", ")} FROM ${rowsOf} src JOIN scores s ON s.rn = src.file_row_number ORDER BY src.file_row_number) TO ${quoteString(part)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        return { rows: positions.length, failed: scored.filter((s) => s.error !== null).length };
      });
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
            const all = `(SELECT * EXCLUDE (file_row_number) FROM read_parquet([${parts.map(quoteString).join(", ")}]) ORDER BY file_row_number)`;
            await conn.run(`COPY ${all} TO ${quoteString(parquet)} (FORMAT parquet, COMPRESSION zstd)`);
            await conn.run(`COPY (SELECT * FROM read_parquet(${quoteString(parquet)})) TO ${quoteString(csv)} (FORMAT csv, HEADER)`);
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

/** The model's input fields the dataset has, as the dataset stores them. */
function readable(fields: InputField[], dataset: ColumnSchema[]): ColumnSchema[] {
  const byName = new Map(dataset.map((c) => [c.name, c]));
  return fields.flatMap((f) => byName.get(f.name) ?? []);
}

interface RowScore {
  prediction: Label | null;
  probabilities?: Record<string, number>;
  error: string | null;
}

/**
 * Checks each row as an endpoint checks an instance (a date not written as the model reads it,
 * a spelling of true that is not the source's) and scores the rest, a slice at a time.
 */
async function scoreRows(model: LoadedModel, fields: InputField[], rows: Record<string, unknown>[], heartbeat: () => void): Promise<RowScore[]> {
  const out: RowScore[] = [];
  for (let from = 0; from < rows.length; from += SLICE_ROWS) {
    const slice = rows.slice(from, from + SLICE_ROWS);
    const { errors } = validateInstances(slice, fields);
    const reasons = new Map<number, string[]>();
    for (const e of errors) reasons.set(e.instance, [...(reasons.get(e.instance) ?? []), `${e.field} ${e.message}`]);
    const ok = slice.filter((_, i) => !reasons.has(i)) as Record<string, Label | null>[];
    const scored = model.predictProba ? model.predictProba(ok) : { predictions: model.predict(ok), probabilities: undefined };
    let k = 0;
    for (let i = 0; i < slice.length; i++) {
      const why = reasons.get(i);
      if (why) out.push({ prediction: null, error: why.join("; ") });
      else {
        out.push({ prediction: scored.predictions[k]!, probabilities: scored.probabilities?.[k], error: null });
        k++;
      }
    }
    heartbeat();
    await yieldToLoop();
  }
  return out;
}

function labelAppender(appender: { appendDouble(v: number): void; appendBoolean(v: boolean): void; appendVarchar(v: string): void }, type: ReturnType<typeof predictionType>) {
  if (type === "DOUBLE") return (v: Label) => appender.appendDouble(Number(v));
  if (type === "BOOLEAN") return (v: Label) => appender.appendBoolean(v === true);
  return (v: Label) => appender.appendVarchar(String(v));
}
