/**
 * The model registry's write side: every model a run trains becomes a version, once, as soon as
 * the node that trained it succeeds — whatever its type, it is any `model` output. A pipeline
 * node's models are one registered model (named after the pipeline and node the first time, and
 * kept under that name when the pipeline is renamed); scores a later node computes for that
 * model (evaluate's `metrics`) are added to its version.
 */
import { and, eq, max, or, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { modelVersions, pipelines, runNodes, runs } from "~/db/schema";
import { slugify } from "~/lib/pipeline/endpoint";
import type { ArtifactRef, DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { parquet, quoteIdent, readColumns, withDuck } from "~/workflows/data/duck";

type Tx = Pick<Db, "select" | "selectDistinct" | "insert" | "update" | "execute">;

/** The registry's key for a node's output: the node for its `model` port, `node:port` for another. */
const registryNodeKey = (nodeId: string, port: string) => (port === "model" ? nodeId : `${nodeId}:${port}`);

/**
 * The registered model a pipeline node's output belongs to: the name its models of the same task
 * had before, or a new unique one. A node switched from classification to regression (or back)
 * starts another registered model (its name ending in the task): one model's versions are
 * compared side by side, and a classifier's accuracy beside a regressor's RMSE compares nothing.
 */
async function modelName(tx: Tx, pipelineId: string, nodeKey: string, task: ModelRef["task"]): Promise<string> {
  // The node's names with their tasks (a pair each, not a row per version).
  const earlier = await tx
    .selectDistinct({ name: modelVersions.name, task: modelVersions.task })
    .from(modelVersions)
    .where(and(eq(modelVersions.pipelineId, pipelineId), eq(modelVersions.nodeId, nodeKey)));
  // A name whose versions already mix both tasks (registered before names were kept per task) is left as it is.
  const known = earlier.find((v) => v.task === task && earlier.every((o) => o.name !== v.name || o.task === task));
  if (known) return known.name;
  const [p] = await tx.select({ name: pipelines.name }).from(pipelines).where(eq(pipelines.id, pipelineId));
  const node = `${slugify(p?.name ?? "pipeline") || "pipeline"}-${slugify(nodeKey.replace(":", "-")) || "model"}`.slice(0, 80);
  const base = earlier.length ? `${node}-${task}` : node;
  // Names are one namespace: another pipeline's model of the same name gets a suffix.
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    const [taken] = await tx.select({ pipelineId: modelVersions.pipelineId }).from(modelVersions).where(eq(modelVersions.name, name)).limit(1);
    if (!taken) return name;
  }
}

/**
 * A row of the run's data as ingested (a dataset output no step has transformed yet), limited to
 * the model's input fields: the example its endpoint documents. The first row whose fields are
 * all present, else the first row; null when the run has no such dataset.
 */
async function exampleRow(db: Db, artifacts: ArtifactStore, runId: string, model: ModelRef): Promise<Record<string, unknown> | null> {
  const nodes = await db.select({ outputs: runNodes.outputs }).from(runNodes).where(eq(runNodes.runId, runId));
  const raw = nodes.flatMap((n) => Object.values(n.outputs ?? {})).find((o): o is DatasetRef => o.kind === "dataset" && o.lineage.steps.length === 0);
  const fields = (model.signature ?? []).filter((f) => raw?.columns.some((c) => c.name === f.name));
  if (!raw || !fields.length) return null;
  const file = await artifacts.localPath(raw.uri);
  const columns = await withDuck(async (conn) => {
    const complete = fields.map((f) => `${quoteIdent(f.name)} IS NOT NULL`).join(" AND ");
    const pick = async (where: string) => readColumns(conn, `(SELECT * FROM ${parquet(file)} ${where} LIMIT 1)`, fields);
    const first = await pick(`WHERE ${complete}`);
    return Object.values(first)[0]?.length ? first : pick("");
  });
  if (!Object.values(columns)[0]?.length) return null;
  return Object.fromEntries(fields.map((f) => [f.name, columns[f.name]![0] ?? null]));
}

/** Registers one model output of a run (idempotent: a retried activity finds its version). */
export async function registerModel(db: Db, r: { runId: string; nodeId: string; port: string; model: ModelRef; metrics?: Record<string, number> | null; artifacts?: ArtifactStore }) {
  // Read before the transaction: it opens files, and a failure only leaves the example out.
  const example = r.artifacts ? await exampleRow(db, r.artifacts, r.runId, r.model).catch(() => null) : null;
  const nodeKey = registryNodeKey(r.nodeId, r.port);
  return db.transaction(async (tx) => {
    const [run] = await tx.select({ workspaceId: runs.workspaceId, pipelineId: runs.pipelineId }).from(runs).where(eq(runs.id, r.runId));
    if (!run) return null;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`register:${run.pipelineId}:${nodeKey}`}))`);
    // One artifact is one version of a pipeline's model: on two ports (a node's `final` when
    // nothing was refitted is its `model`), or reused by a later run of the pipeline from the cache.
    const [known] = await tx
      .select()
      .from(modelVersions)
      .where(or(and(eq(modelVersions.runId, r.runId), eq(modelVersions.nodeId, nodeKey)), and(eq(modelVersions.pipelineId, run.pipelineId), eq(modelVersions.artifactUri, r.model.uri))));
    if (known) return known;
    const name = await modelName(tx, run.pipelineId, nodeKey, r.model.task);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`model:${name}`}))`);
    const [latest] = await tx.select({ v: max(modelVersions.version) }).from(modelVersions).where(eq(modelVersions.name, name));
    const [created] = await tx
      .insert(modelVersions)
      .values({
        workspaceId: run.workspaceId,
        name,
        version: (latest?.v ?? 0) + 1,
        runId: r.runId,
        nodeId: nodeKey,
        pipelineId: run.pipelineId,
        artifactUri: r.model.uri,
        task: r.model.task,
        metrics: r.metrics ?? null,
        inputSchema: r.model.signature,
        example,
      })
      .returning();
    return created!;
  });
}

/**
 * After a node succeeds: its model outputs become versions, and the scores it computed for a
 * model it took as input (evaluate) are added to that model's version.
 */
export async function recordModels(
  db: Db,
  artifacts: ArtifactStore,
  runId: string,
  nodeId: string,
  inputs: Record<string, ArtifactRef>,
  outputs: Record<string, ArtifactRef>,
  metrics: Record<string, number> | null | undefined,
) {
  for (const [port, out] of Object.entries(outputs)) {
    if (out.kind === "model") await registerModel(db, { runId, nodeId, port, model: out, metrics, artifacts });
  }
  const scores = Object.values(outputs).find((o) => o.kind === "metrics");
  if (!scores || scores.kind !== "metrics") return;
  for (const input of Object.values(inputs)) {
    if (input.kind !== "model") continue;
    await db
      .update(modelVersions)
      .set({ metrics: sql`coalesce(${modelVersions.metrics}, '{}'::jsonb) || ${JSON.stringify(scores.values)}::jsonb` })
      // The version of that artifact, whichever run made it (a reused model was made by an earlier one).
      .where(eq(modelVersions.artifactUri, input.uri));
  }
}
