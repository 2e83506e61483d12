/**
 * Preparing a run: a pipeline version, compiled against the datasets and endpoints of its
 * workspace as they are now, recorded as a run with its nodes. The web server calls it before
 * starting the workflow; the scheduled-run workflow's activity calls it in the worker. What both
 * need of pipelines, datasets and endpoints is read here, so the worker does not reach into the
 * web server's code.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets, endpoints, pipelines, pipelineVersions, runNodes, runs } from "~/db/schema";
import { InvalidError, NotFoundError } from "~/lib/errors";
import type { ColumnSchema, PipelineGraph } from "~/lib/pipeline/document";
import type { ExecutionPlan } from "~/lib/pipeline/plan";
import { compile } from "~/workflows/nodes/compile";
import { getSpec } from "~/workflows/nodes/registry";

export interface StoredPipeline extends PipelineGraph {
  id: string;
  workspaceId: string;
  name: string;
  version: number;
  latestVersion: number;
  updatedAt: Date;
}

/** A pipeline at a version (its latest by default). */
export async function getPipeline(db: Db, id: string, version?: number): Promise<StoredPipeline | undefined> {
  const [p] = await db.select().from(pipelines).where(eq(pipelines.id, id));
  if (!p) return undefined;
  const v = version ?? p.latestVersion;
  const [pv] = await db
    .select()
    .from(pipelineVersions)
    .where(and(eq(pipelineVersions.pipelineId, id), eq(pipelineVersions.version, v)));
  if (!pv) return undefined;
  return { id: p.id, workspaceId: p.workspaceId, name: p.name, version: v, latestVersion: p.latestVersion, updatedAt: p.updatedAt, ...pv.graph };
}

/** The datasets a pipeline of this workspace may read, with their columns. */
async function datasetColumnsMap(db: Db, workspaceId: string): Promise<Map<string, ColumnSchema[]>> {
  const rows = await db.select({ id: datasets.id, columns: datasets.columns }).from(datasets).where(eq(datasets.workspaceId, workspaceId));
  return new Map(rows.map((r) => [r.id, r.columns]));
}

/**
 * Slug → the pipeline serving it, for the compiler's ownership check. Slugs are one namespace for
 * the whole instance; another workspace's endpoint shows as taken, without its pipeline's name.
 */
async function endpointOwners(db: Db, workspaceId: string) {
  const rows = await db
    .select({ slug: endpoints.slug, workspaceId: endpoints.workspaceId, pipelineId: endpoints.pipelineId, pipelineName: pipelines.name })
    .from(endpoints)
    .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId));
  return new Map(
    rows.map((r) => [
      r.slug,
      r.workspaceId === workspaceId
        ? { pipelineId: r.pipelineId, pipelineName: r.pipelineName, otherWorkspace: false }
        : { pipelineId: "another-workspace", pipelineName: null, otherWorkspace: true },
    ]),
  );
}

/** Compiles a graph against the datasets of its workspace and the endpoints stored now. */
export async function compilePipeline(db: Db, workspaceId: string, graph: PipelineGraph, pipelineId?: string, parameters?: Record<string, unknown>) {
  const [columns, owners] = await Promise.all([datasetColumnsMap(db, workspaceId), endpointOwners(db, workspaceId)]);
  return compile(graph, { datasetColumns: (id) => columns.get(id), endpoint: (slug) => owners.get(slug), pipelineId, parameters });
}

export interface PrepareOptions {
  startedBy?: string | null;
  version?: number;
  /** Called when the plan deploys a model — the very plan that will run — to refuse a caller who may not deploy. */
  checkDeploy?: () => void;
  ignoreCache?: boolean;
  resumedFrom?: string;
  scheduleId?: string;
  triggerId?: string;
  /** `retrain`: a run a drift alarm started (its deploy nodes register challengers only). */
  purpose?: "run" | "retrain";
  /** Values for the pipeline's parameters; the others take their defaults. */
  parameters?: Record<string, unknown>;
}

/** Compiles the pipeline's version and records the run and its nodes (queued); its workflow is started by the caller. */
export async function prepareRun(db: Db, pipelineId: string, opts: PrepareOptions = {}): Promise<{ runId: string; plan: ExecutionPlan }> {
  const { version } = opts;
  const pipeline = await getPipeline(db, pipelineId, version);
  if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId}${version ? ` version ${version}` : ""} not found`);
  const compiled = await compilePipeline(db, pipeline.workspaceId, pipeline, pipelineId, opts.parameters);
  if (!compiled.plan) {
    // A launcher's bad value is said first, in its own words.
    const param = compiled.errors.find((e) => e.path.startsWith("parameters.") || e.message.includes("(the value of parameter"));
    throw InvalidError.withProblems(param ? param.message : "the pipeline does not compile", compiled.errors);
  }
  const nodes = compiled.plan;
  if (nodes.some((n) => getSpec(n.type)?.stage === "deploy")) opts.checkDeploy?.();
  const runId = await db.transaction(async (tx) => {
    const [run] = await tx
      .insert(runs)
      .values({
        workspaceId: pipeline.workspaceId,
        pipelineId,
        pipelineVersion: pipeline.version,
        startedBy: opts.startedBy ?? null,
        useCache: !opts.ignoreCache,
        resumedFrom: opts.resumedFrom ?? null,
        scheduleId: opts.scheduleId ?? null,
        triggerId: opts.triggerId ?? null,
        purpose: opts.purpose ?? "run",
        parameters: pipeline.parameters?.length ? compiled.parameters : null,
      })
      .returning({ id: runs.id });
    await tx.insert(runNodes).values(nodes.map((n) => ({ runId: run!.id, nodeId: n.id, type: n.type })));
    return run!.id;
  });
  return { runId, plan: { pipelineId, pipelineVersion: pipeline.version, nodes } };
}
