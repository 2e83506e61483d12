import { asc, desc, eq } from "drizzle-orm";
import type { Client } from "@temporalio/client";
import type { Db } from "../../db/client";
import { endpoints, modelVersions, pipelines, runNodes, runs } from "../../db/schema";
import type { GraphError } from "../../workflows/graph";
import { workflowIdForRun, type EndpointRef, type RunPipelineInput } from "../../workflows/plan";
import { env } from "../env";
import { getPipeline } from "../pipelines/repository";
import { compileWithDatasets } from "../pipelines/validate";

export class PlanError extends Error {
  constructor(readonly errors: GraphError[]) {
    super(`the pipeline has ${errors.length} problem(s): ${errors.map((e) => `${e.nodeId ?? "pipeline"} ${e.path}: ${e.message}`).join("; ")}`);
  }
}
export class NotFoundError extends Error {}
/** Temporal could not be reached or refused the start: the run is recorded as failed. */
export class StartError extends Error {}

/** Compiles the pipeline's saved version, records the run and starts its workflow. */
export async function startRun(db: Db, temporal: Client, pipelineId: string, version?: number) {
  const pipeline = await getPipeline(db, pipelineId, version);
  if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId}${version ? ` version ${version}` : ""} not found`);
  const compiled = await compileWithDatasets(db, pipeline);
  if (!compiled.plan) throw new PlanError(compiled.errors);

  const [run] = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(runs)
      .values({ pipelineId, pipelineVersion: pipeline.version })
      .returning({ id: runs.id });
    await tx.insert(runNodes).values(compiled.plan!.map((n) => ({ runId: inserted[0]!.id, nodeId: n.id, type: n.type })));
    return inserted;
  });
  const input: RunPipelineInput = {
    runId: run!.id,
    plan: { pipelineId, pipelineVersion: pipeline.version, nodes: compiled.plan },
  };
  try {
    await temporal.workflow.start("runPipeline", {
      args: [input],
      taskQueue: env().TEMPORAL_TASK_QUEUE,
      workflowId: workflowIdForRun(run!.id),
    });
  } catch (e) {
    await db.update(runs).set({ status: "failed", error: `could not start: ${String(e)}`, finishedAt: new Date() }).where(eq(runs.id, run!.id));
    throw new StartError(`run ${run!.id} could not be started: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { runId: run!.id };
}

export async function cancelRun(db: Db, temporal: Client, runId: string) {
  const [run] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  if (run.status === "queued" || run.status === "running") await temporal.workflow.getHandle(workflowIdForRun(runId)).cancel();
  return { status: run.status };
}

/** Sums per-slice progress into one fraction (null when the node reported none). */
export function summariseProgress(p: Record<string, { done: number; total: number }> | null) {
  if (!p) return null;
  const parts = Object.values(p);
  const total = parts.reduce((s, x) => s + x.total, 0);
  return total ? { done: parts.reduce((s, x) => s + x.done, 0), total } : null;
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
  const [run] = await db
    .select(runSummary)
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(eq(runs.id, runId));
  if (!run) return undefined;
  const nodes = await db.select().from(runNodes).where(eq(runNodes.runId, runId)).orderBy(asc(runNodes.startedAt));
  const graph = await getPipeline(db, run.pipelineId, run.pipelineVersion);
  const metrics: Record<string, number> = {};
  const deployed: EndpointRef[] = [];
  for (const n of nodes) {
    // Run-level metrics are the evaluate nodes'; other nodes' numbers stay on the node.
    if (n.metrics && n.type === "evaluate") Object.assign(metrics, n.metrics);
    for (const out of Object.values(n.outputs ?? {})) {
      if ((out as EndpointRef).kind === "endpoint") deployed.push(out as EndpointRef);
    }
  }
  const base = env().publicUrl;
  return {
    ...run,
    graph: graph ? { nodes: graph.nodes, edges: graph.edges } : { nodes: [], edges: [] },
    nodes: nodes.map((n) => ({
      nodeId: n.nodeId,
      type: n.type,
      status: n.status,
      error: n.error,
      attempt: n.attempt,
      metrics: n.metrics,
      progress: summariseProgress(n.progress),
      workMs: n.workMs,
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
    })),
    metrics,
    endpoints: deployed.map((d) => ({
      slug: d.slug,
      modelVersion: d.modelVersion,
      url: `${base}/api/v1/endpoints/${d.slug}/predict`,
    })),
  };
}

export async function listRuns(db: Db, opts: { pipelineId?: string; limit?: number } = {}) {
  const q = db
    .select(runSummary)
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .orderBy(desc(runs.createdAt))
    .limit(opts.limit ?? 50);
  return opts.pipelineId ? q.where(eq(runs.pipelineId, opts.pipelineId)) : q;
}

export async function listEndpoints(db: Db) {
  const rows = await db
    .select({
      slug: endpoints.slug,
      monitored: endpoints.monitored,
      updatedAt: endpoints.updatedAt,
      modelVersion: modelVersions.version,
      task: modelVersions.task,
      metrics: modelVersions.metrics,
      runId: modelVersions.runId,
    })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .orderBy(desc(endpoints.updatedAt));
  return rows;
}
