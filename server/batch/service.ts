/**
 * Batch scoring: score a dataset (an upload is a dataset too) with an endpoint's model, or any
 * model version of the workspace, as a Temporal workflow (workflows/temporal/batch-workflow.ts);
 * follow its progress; download the scored file. A dataset the model cannot read is refused
 * before anything starts, naming the columns.
 */
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "~/db/client";
import { batchScores, datasets, endpoints, modelVersions, type BatchChunkProgress } from "~/db/schema";
import { env } from "~/lib/env";
import { ConflictError, InvalidError, messageOf, NotFoundError, UnavailableError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { resultKey, scoringProblems } from "~/workflows/batch/columns";
import type { InputField } from "~/workflows/model/signature";
import { temporalClient } from "~/workflows/temporal/client";
import { BATCH_WORKFLOW, taskQueueOf, workflowIdForBatch } from "~/workflows/temporal/shared";
import type * as workflows from "~/workflows/temporal/workflows";
import { auditActor, type Actor } from "../auth/policy";
import { fileDownload, type DownloadFormat } from "../http/files";

export const batchScoreBody = z
  .object({
    /** Score with the model this endpoint serves (its main version). */
    slug: z.string().min(1).max(100).optional(),
    /** Or with this model version (say which, when the endpoint splits traffic). */
    modelVersionId: z.string().uuid().optional(),
    datasetId: z.string().uuid(),
  })
  .strict()
  .refine((b) => b.slug || b.modelVersionId, { message: "name the endpoint (slug) or the model version (modelVersionId) to score with", path: ["slug"] });
export type BatchScoreRequest = z.infer<typeof batchScoreBody>;

async function modelFor(db: Db, workspaceId: string, req: BatchScoreRequest) {
  let versionId = req.modelVersionId;
  if (req.slug) {
    const [endpoint] = await db.select().from(endpoints).where(and(eq(endpoints.slug, req.slug), eq(endpoints.workspaceId, workspaceId)));
    if (!endpoint) throw new NotFoundError(`no endpoint '${req.slug}'`);
    const served = [endpoint.modelVersionId, ...(endpoint.traffic ?? []).map((v) => v.modelVersionId)];
    if (versionId && !served.includes(versionId)) throw InvalidError.withProblems("that model version is not served by this endpoint", [{ path: "modelVersionId", message: `endpoint '${req.slug}' does not serve it; leave slug out to score with any model version` }]);
    versionId ??= endpoint.modelVersionId;
  }
  const [version] = await db.select().from(modelVersions).where(and(eq(modelVersions.id, versionId!), eq(modelVersions.workspaceId, workspaceId)));
  if (!version) throw new NotFoundError(`model version ${versionId} not found`);
  return version;
}

/** Checks, records and starts a batch-scoring job. */
export async function startBatchScore(db: Db, actor: Actor, workspaceId: string, req: BatchScoreRequest) {
  const version = await modelFor(db, workspaceId, req);
  const [dataset] = await db.select().from(datasets).where(and(eq(datasets.id, req.datasetId), eq(datasets.workspaceId, workspaceId)));
  if (!dataset) throw new NotFoundError(`dataset ${req.datasetId} not found`);
  if (dataset.rows === 0) throw InvalidError.withProblems("nothing to score", [{ path: "datasetId", message: `dataset '${dataset.name}' has no rows` }]);
  const problems = version.inputSchema ? scoringProblems(version.inputSchema as InputField[], dataset.columns, dataset.name) : [];
  if (problems.length) throw InvalidError.withProblems(`dataset '${dataset.name}' cannot be scored by ${version.name} v${version.version}: ${problems.join("; ")}`, problems.map((message) => ({ path: "datasetId", message })));

  const [job] = await db
    .insert(batchScores)
    .values({
      workspaceId,
      endpointSlug: req.slug ?? null,
      modelVersionId: version.id,
      datasetId: dataset.id,
      datasetName: dataset.name,
      rowsTotal: dataset.rows,
      chunkRows: env().BATCH_SCORE_CHUNK_ROWS,
      createdBy: actor.userId,
    })
    .returning();
  try {
    const client = await temporalClient();
    await client.workflow.start<(typeof workflows)[typeof BATCH_WORKFLOW]>(BATCH_WORKFLOW, {
      args: [{ batchId: job!.id }],
      taskQueue: taskQueueOf(env()),
      workflowId: workflowIdForBatch(job!.id),
    });
  } catch (e) {
    await db.update(batchScores).set({ status: "failed", error: `could not start: ${messageOf(e)}`, finishedAt: new Date() }).where(eq(batchScores.id, job!.id));
    throw new UnavailableError(`batch score ${job!.id} could not be started: ${messageOf(e)}`, { runId: job!.id });
  }
  await recordAudit(db, { action: "batch-score.start", workspaceId, ...auditActor(actor), target: req.slug ?? `${version.name} v${version.version}`, details: { batchId: job!.id, dataset: dataset.name, modelVersion: version.version } });
  return { runId: job!.id, status: job!.status, statusUrl: `/api/v1/batch-scores/${job!.id}` };
}

const summaryColumns = {
  id: batchScores.id,
  status: batchScores.status,
  endpointSlug: batchScores.endpointSlug,
  datasetId: batchScores.datasetId,
  datasetName: batchScores.datasetName,
  rowsTotal: batchScores.rowsTotal,
  chunkRows: batchScores.chunkRows,
  chunks: batchScores.chunks,
  outputColumns: batchScores.outputColumns,
  resultBytes: batchScores.resultBytes,
  error: batchScores.error,
  createdAt: batchScores.createdAt,
  startedAt: batchScores.startedAt,
  finishedAt: batchScores.finishedAt,
  modelVersionId: modelVersions.id,
  model: modelVersions.name,
  version: modelVersions.version,
};

const summaries = (db: Db) => db.select(summaryColumns).from(batchScores).innerJoin(modelVersions, eq(modelVersions.id, batchScores.modelVersionId));
type SummaryRow = Awaited<ReturnType<typeof summaries>>[number];

/** A job as the API and the UI show it: progress in rows and chunks, where to download, and until when. */
function present(r: SummaryRow) {
  const days = env().BATCH_RETENTION_DAYS;
  const parts = Object.values(r.chunks as Record<string, BatchChunkProgress>);
  const chunksTotal = Math.max(1, Math.ceil(r.rowsTotal / r.chunkRows));
  const { chunks: _c, chunkRows: _r, ...rest } = r;
  return {
    ...rest,
    rowsScored: parts.reduce((s, p) => s + p.rows, 0),
    rowsFailed: parts.reduce((s, p) => s + p.failed, 0),
    chunksDone: parts.length,
    chunksTotal,
    downloadUrl: r.status === "succeeded" ? `/api/v1/batch-scores/${r.id}/download` : null,
    /** When garbage collection deletes the finished job and its file (BATCH_RETENTION_DAYS); null: kept until deleted. */
    keptUntil: r.finishedAt && days > 0 ? new Date(r.finishedAt.getTime() + days * 86_400_000) : null,
  };
}

export async function getBatchScore(db: Db, id: string) {
  const [row] = await summaries(db).where(eq(batchScores.id, id));
  if (!row) throw new NotFoundError(`batch score ${id} not found`);
  return present(row);
}

/** The workspace's jobs, newest first (one endpoint's with `slug`). */
export async function listBatchScores(db: Db, workspaceId: string, opts: { slug?: string; limit?: number } = {}) {
  const rows = await summaries(db)
    .where(and(eq(batchScores.workspaceId, workspaceId), opts.slug ? eq(batchScores.endpointSlug, opts.slug) : undefined))
    .orderBy(desc(batchScores.createdAt))
    .limit(opts.limit ?? 50);
  return rows.map(present);
}

export async function cancelBatchScore(db: Db, id: string) {
  const job = await getBatchScore(db, id);
  if (job.status !== "queued" && job.status !== "running") throw new ConflictError(`batch score ${id} is already ${job.status}`);
  await (await temporalClient()).workflow.getHandle(workflowIdForBatch(id)).cancel();
  return { status: job.status };
}

/** Deletes a finished job and its scored files (a queued or running one must be cancelled first). */
export async function deleteBatchScore(db: Db, artifacts: ArtifactStore, actor: Actor, workspaceId: string, id: string) {
  const job = await getBatchScore(db, id);
  if (job.status === "queued" || job.status === "running") throw new ConflictError(`batch score ${id} is ${job.status}: cancel it first`);
  await db.delete(batchScores).where(eq(batchScores.id, id));
  const bytes = await artifacts.removeGroup("batch", id);
  await recordAudit(db, { action: "batch.delete", ...auditActor(actor), workspaceId, target: id, details: { dataset: job.datasetName, bytes } });
  return { deleted: id, bytesFreed: bytes };
}

/** The scored file as a stream (CSV, or Parquet), with a file name saying what it is. */
export async function batchScoreFile(db: Db, artifacts: ArtifactStore, id: string, format: DownloadFormat) {
  const job = await getBatchScore(db, id);
  if (job.status !== "succeeded") throw new ConflictError(`batch score ${id} is ${job.status}; its file exists once it has succeeded`);
  const file = await artifacts.localPath(`artifact:${resultKey(id, format)}`);
  return fileDownload(file, `${job.datasetName}-scored-${job.endpointSlug ?? job.model}-v${job.version}`, format);
}
