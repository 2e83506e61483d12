import { and, asc, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "~/db/client";
import { datasets, endpoints, modelVersions, pipelines, retrainings, runNodes, runs } from "~/db/schema";
import { ConflictError, messageOf, NotFoundError, UnavailableError } from "~/lib/errors";
import { env } from "~/lib/env";
import { isUuid } from "~/server/http/errors";
import { bindParameters } from "~/lib/pipeline/parameters";
import { runMetrics, type ArtifactRef, type DatasetRef, type EndpointRef } from "~/lib/pipeline/plan";
import { metricsPanels, type Panel } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { temporalClient } from "~/workflows/temporal/client";
import type * as workflows from "~/workflows/temporal/pipeline-workflow";
import { PIPELINE_WORKFLOW, taskQueueOf, workflowIdForRun } from "~/workflows/temporal/shared";
import { getPipeline, prepareRun, type PrepareOptions } from "~/workflows/runs/prepare";

/**
 * Compiles the pipeline's saved version, records the run and starts its workflow. The workflow
 * is started by its function's type, so renaming `runPipeline` without PIPELINE_WORKFLOW fails
 * to compile.
 */
/**
 * Starts a run of a pipeline version. `checkDeploy` is called when the compiled plan deploys a
 * model — the very plan that will run, so a save in between cannot slip a deploy past it — and
 * throws if the caller may not deploy.
 */
export async function startRun(db: Db, pipelineId: string, opts: PrepareOptions = {}) {
  const { runId, plan } = await prepareRun(db, pipelineId, opts);
  try {
    const client = await temporalClient();
    await client.workflow.start<(typeof workflows)[typeof PIPELINE_WORKFLOW]>(PIPELINE_WORKFLOW, {
      args: [{ runId, plan }],
      taskQueue: taskQueueOf(env()),
      workflowId: workflowIdForRun(runId),
    });
  } catch (e) {
    // The run and every node fail with the reason, rather than waiting forever as `queued`.
    const reason = `could not start: ${messageOf(e)}`;
    await db.transaction(async (tx) => {
      await tx.update(runs).set({ status: "failed", error: reason, finishedAt: new Date() }).where(eq(runs.id, runId));
      await tx.update(runNodes).set({ status: "failed", error: reason, finishedAt: new Date() }).where(eq(runNodes.runId, runId));
    });
    throw new UnavailableError(`run ${runId} could not be started: ${messageOf(e)}`, { runId });
  }
  return { runId };
}

/**
 * Resumes a run that failed or was cancelled: a new run of the pipeline's latest version (with
 * whatever was fixed since), linked to the original, reusing every node whose config and inputs
 * did not change — only the failed node and what depends on it run again.
 */
export async function resumeRun(db: Db, runId: string, opts: { startedBy?: string | null; checkDeploy?: () => void } = {}) {
  const [run] = await db.select({ pipelineId: runs.pipelineId, status: runs.status, parameters: runs.parameters }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (run.status !== "failed" && run.status !== "cancelled") throw new ConflictError(`run ${runId} ${run.status === "succeeded" ? "succeeded" : "is still going"}: only a failed or cancelled run is resumed`);
  // The same parameter values, for the parameters the latest version still declares.
  const latest = await getPipeline(db, run.pipelineId);
  const parameters = Object.fromEntries(Object.entries(run.parameters ?? {}).filter(([k]) => latest?.parameters?.some((p) => p.name === k)));
  return startRun(db, run.pipelineId, { ...opts, resumedFrom: runId, parameters });
}

export async function cancelRun(db: Db, runId: string) {
  const [run] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (run.status === "queued" || run.status === "running") await (await temporalClient()).workflow.getHandle(workflowIdForRun(runId)).cancel();
  return { status: run.status };
}

/** Sums per-slice progress into one fraction (null when the node reported none). */
function summariseProgress(p: Record<string, { done: number; total: number }> | null) {
  if (!p) return null;
  const parts = Object.values(p);
  const total = parts.reduce((s, x) => s + x.total, 0);
  return total ? { done: parts.reduce((s, x) => s + x.done, 0), total } : null;
}

/** A node's view on the run page, as its own spec presents it (a metrics table by default). */
function panelsOf(type: string, metrics: Record<string, number> | null, outputs: Record<string, ArtifactRef> | null): Panel[] {
  const spec = getSpec(type);
  return spec?.present ? spec.present({ metrics, outputs }) : metricsPanels(metrics);
}

/** A run's summary columns, with its pipeline's name. */
const runSummary = {
  id: runs.id,
  pipelineId: runs.pipelineId,
  pipelineName: pipelines.name,
  pipelineVersion: runs.pipelineVersion,
  status: runs.status,
  error: runs.error,
  createdAt: runs.createdAt,
  startedAt: runs.startedAt,
  finishedAt: runs.finishedAt,
};

export async function getRun(db: Db, runId: string) {
  const [row] = await db
    .select({ ...runSummary, kept: runs.metrics, useCache: runs.useCache, resumedFrom: runs.resumedFrom, parameters: runs.parameters, scheduleId: runs.scheduleId, triggerId: runs.triggerId, purpose: runs.purpose })
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(eq(runs.id, runId));
  if (!row) throw new NotFoundError(`run ${runId} not found`);
  const { kept, ...run } = row;
  const nodes = await db.select().from(runNodes).where(eq(runNodes.runId, runId)).orderBy(asc(runNodes.startedAt));
  const graph = await getPipeline(db, run.pipelineId, run.pipelineVersion);
  // Dataset parameters are shown by name (and version) rather than by id.
  const datasetIds = (graph?.parameters ?? []).filter((p) => p.type === "dataset").map((p) => run.parameters?.[p.name]).filter((v): v is string => typeof v === "string" && isUuid(v));
  const datasetNames = datasetIds.length
    ? Object.fromEntries((await db.select({ id: datasets.id, name: datasets.name }).from(datasets).where(inArray(datasets.id, datasetIds))).map((d) => [d.id, d.name]))
    : {};
  // A retraining run: the endpoint whose loop started it (its page shows the decisions).
  const [retraining] =
    run.purpose === "retrain"
      ? await db.select({ slug: endpoints.slug, status: retrainings.status }).from(retrainings).innerJoin(endpoints, eq(endpoints.id, retrainings.endpointId)).where(eq(retrainings.runId, runId))
      : [];
  const resumedBy = await db.select({ id: runs.id, status: runs.status }).from(runs).where(eq(runs.resumedFrom, runId)).orderBy(asc(runs.createdAt));
  // Run-level metrics are whatever the run produced on `metrics` ports (evaluate's scores), kept on
  // the run once it finished; deployed endpoints are its `endpoint` outputs. No node type is special here.
  const metrics = kept ?? runMetrics(nodes.map((n) => n.outputs)) ?? {};
  const deployed = nodes.flatMap((n) => Object.values(n.outputs ?? {}).filter((o): o is EndpointRef => o.kind === "endpoint"));
  const base = env().publicUrl;
  const servedLater = await db
    .select({ slug: endpoints.slug, modelVersion: modelVersions.version })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .where(and(eq(modelVersions.runId, runId), eq(endpoints.workspaceId, modelVersions.workspaceId)));
  return {
    ...run,
    resumedBy,
    // Settings as the run ran them: each parameter's value in place of the reference to it.
    graph: graph ? { nodes: graph.parameters?.length ? bindParameters(graph, run.parameters ?? {}).graph.nodes : graph.nodes, edges: graph.edges, notes: graph.notes ?? [] } : { nodes: [], edges: [], notes: [] },
    /** The parameters the pipeline version declares (their values in this run are `parameters`). */
    declaredParameters: graph?.parameters ?? [],
    datasetNames: datasetNames as Record<string, string>,
    retraining: retraining ?? null,
    nodes: nodes.map((n) => ({
      nodeId: n.nodeId,
      type: n.type,
      status: n.status,
      error: n.error,
      attempt: n.attempt,
      metrics: n.metrics,
      // What the run page shows of a finished node: its spec's view of metrics and outputs (data only, no artifact paths).
      panels: panelsOf(n.type, n.metrics, n.outputs),
      /** Output ports holding a trained model (what "Deploy this model" offers; `final` only when it was refitted, i.e. differs). */
      models: Object.entries(n.outputs ?? {})
        .filter(([, o], i, all) => o.kind === "model" && all.findIndex(([, x]) => x.kind === "model" && x.uri === o.uri) === i)
        .map(([port]) => port),
      progress: summariseProgress(n.progress),
      cache: n.cache,
      workMs: n.workMs,
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
    })),
    metrics,
    endpoints: [
      ...deployed.map((d) => ({ slug: d.slug, modelVersion: d.modelVersion })),
      // Endpoints serving a model of this run that were deployed afterwards (from the run page, a model page or the API).
      ...servedLater.filter((e) => !deployed.some((d) => d.slug === e.slug)),
    ].map((e) => ({ ...e, url: `${base}/api/v1/endpoints/${e.slug}/predict` })),
  };
}

const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** What a run list can ask for: filters, an order (newest first, or by a metric) and a page. */
const runQuery = z.object({
  pipelineId: z.string().uuid().optional(),
  status: z.array(z.enum(RUN_STATUSES)).max(5).optional(),
  /** Runs started at or after / before these times. */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** `newest` (default), `oldest`, or a metric's name: best first (`order`: highest or lowest). */
  sort: z.string().min(1).max(200).default("newest"),
  order: z.enum(["highest", "lowest"]).default("highest"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type RunQuery = z.input<typeof runQuery>;

/**
 * A workspace's runs, filtered and ordered, one page at a time, with how many match and the
 * metric names its runs have (what the list can sort by). Indexed by workspace, status and time.
 */
export async function listRuns(db: Db, workspaceId: string, query: RunQuery = {}) {
  const q = runQuery.parse(query);
  const where = and(
    eq(runs.workspaceId, workspaceId),
    q.pipelineId ? eq(runs.pipelineId, q.pipelineId) : undefined,
    q.status?.length ? inArray(runs.status, q.status) : undefined,
    q.from ? gte(runs.createdAt, q.from) : undefined,
    q.to ? lt(runs.createdAt, q.to) : undefined,
  );
  const byMetric = q.sort !== "newest" && q.sort !== "oldest";
  const metric = sql`(${runs.metrics} ->> ${q.sort})::float8`;
  const order = byMetric
    ? [q.order === "highest" ? sql`${metric} desc nulls last` : sql`${metric} asc nulls last`, desc(runs.createdAt)]
    : [q.sort === "oldest" ? asc(runs.createdAt) : desc(runs.createdAt)];
  const [rows, [count], names] = await Promise.all([
    db
      .select({ ...runSummary, metrics: runs.metrics })
      .from(runs)
      .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
      .where(where)
      .orderBy(...order)
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(runs).where(where),
    db.execute<{ name: string }>(sql`select distinct jsonb_object_keys(${runs.metrics}) as name from ${runs} where ${runs.workspaceId} = ${workspaceId} and ${runs.metrics} is not null limit 100`),
  ]);
  return { runs: rows, total: count?.n ?? 0, page: q.page, pageSize: q.pageSize, metricNames: [...names].map((r) => r.name).sort() };
}

/** Whether a pipeline's saved version deploys a model (starting it then also needs `deploy`). */

/**
 * What each node of a pipeline's latest finished run produced: rows and columns (with kinds and
 * roles) per dataset output, for the canvas to show while editing. Artifact paths stay here.
 */
export async function lastOutputs(db: Db, pipelineId: string) {
  const [run] = await db
    .select({ id: runs.id, version: runs.pipelineVersion, finishedAt: runs.finishedAt, status: runs.status })
    .from(runs)
    .where(and(eq(runs.pipelineId, pipelineId), inArray(runs.status, ["succeeded", "failed"])))
    .orderBy(desc(runs.createdAt))
    .limit(1);
  if (!run) return null;
  const nodes = await db.select({ nodeId: runNodes.nodeId, status: runNodes.status, outputs: runNodes.outputs }).from(runNodes).where(eq(runNodes.runId, run.id));
  return {
    runId: run.id,
    version: run.version,
    finishedAt: run.finishedAt,
    nodes: Object.fromEntries(
      nodes.map((n) => [
        n.nodeId,
        {
          status: n.status,
          outputs: Object.fromEntries(
            Object.entries(n.outputs ?? {})
              .filter(([, o]) => o.kind === "dataset")
              .map(([port, o]) => [port, { rows: (o as DatasetRef).rows, columns: (o as DatasetRef).columns }]),
          ),
        },
      ]),
    ),
  };
}
