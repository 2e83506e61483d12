import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { pipelines, pipelineVersions } from "~/db/schema";
import { ConflictError } from "~/lib/errors";
import type { PipelineDocument, PipelineGraph } from "~/lib/pipeline/document";

export { getPipeline } from "~/workflows/runs/prepare";

export async function listPipelines(db: Db, workspaceId: string) {
  return db
    .select({ id: pipelines.id, name: pipelines.name, latestVersion: pipelines.latestVersion, updatedAt: pipelines.updatedAt, createdAt: pipelines.createdAt })
    .from(pipelines)
    .where(eq(pipelines.workspaceId, workspaceId))
    .orderBy(desc(pipelines.updatedAt));
}

/** Every saved version of a pipeline, newest first: number, time, size. */
export async function listVersions(db: Db, id: string) {
  const rows = await db
    .select({ version: pipelineVersions.version, label: pipelineVersions.label, createdAt: pipelineVersions.createdAt, nodes: sql<number>`jsonb_array_length(${pipelineVersions.graph}->'nodes')` })
    .from(pipelineVersions)
    .where(eq(pipelineVersions.pipelineId, id))
    .orderBy(desc(pipelineVersions.version));
  return rows.map((r) => ({ ...r, nodes: Number(r.nodes) }));
}

/** Names a saved version (null takes the name away); false when the pipeline has no such version. */
export async function nameVersion(db: Db, id: string, version: number, label: string | null): Promise<boolean> {
  const rows = await db
    .update(pipelineVersions)
    .set({ label })
    .where(and(eq(pipelineVersions.pipelineId, id), eq(pipelineVersions.version, version)))
    .returning({ version: pipelineVersions.version });
  return rows.length > 0;
}

const graphOf = (doc: PipelineGraph): PipelineGraph => ({
  ...(doc.parameters?.length ? { parameters: doc.parameters } : {}),
  ...(doc.notes?.length ? { notes: doc.notes } : {}),
  nodes: doc.nodes,
  edges: doc.edges,
});

export async function createPipeline(db: Db, workspaceId: string, doc: PipelineDocument): Promise<{ id: string; version: number }> {
  return db.transaction(async (tx) => {
    const [p] = await tx.insert(pipelines).values({ workspaceId, name: doc.name, latestVersion: 1 }).returning({ id: pipelines.id });
    await tx.insert(pipelineVersions).values({ pipelineId: p!.id, version: 1, graph: graphOf(doc) });
    return { id: p!.id, version: 1 };
  });
}

/**
 * Saves a new version; every earlier version is kept. With `baseVersion` (the version the edit
 * started from), a newer version saved meanwhile — another tab, another person — is a conflict
 * instead of being silently replaced.
 */
export async function savePipelineVersion(db: Db, id: string, doc: PipelineDocument, baseVersion?: number): Promise<{ version: number } | undefined> {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .update(pipelines)
      .set({ name: doc.name, latestVersion: sql`${pipelines.latestVersion} + 1`, updatedAt: new Date() })
      .where(baseVersion === undefined ? eq(pipelines.id, id) : and(eq(pipelines.id, id), eq(pipelines.latestVersion, baseVersion)))
      .returning({ version: pipelines.latestVersion });
    if (!p && baseVersion !== undefined) {
      const [current] = await tx.select({ latest: pipelines.latestVersion }).from(pipelines).where(eq(pipelines.id, id));
      if (current) throw new ConflictError(`version ${current.latest} was saved (in another tab, or by someone else) after version ${baseVersion}, which these edits started from`, { latestVersion: current.latest });
    }
    if (!p) return undefined;
    await tx.insert(pipelineVersions).values({ pipelineId: id, version: p.version, graph: graphOf(doc) });
    return { version: p.version };
  });
}

/** Renames a pipeline (its versions keep the graph; the name is the pipeline's). */
export async function renamePipeline(db: Db, id: string, name: string) {
  const [p] = await db.update(pipelines).set({ name, updatedAt: new Date() }).where(eq(pipelines.id, id)).returning({ id: pipelines.id });
  return p;
}

/** What deleting a pipeline takes with it: its versions and runs (endpoints keep serving). */
export async function pipelineFootprint(db: Db, id: string) {
  const [row] = (await db.execute(sql`select
      (select count(*) from pipeline_version where pipeline_id = ${id})::int as versions,
      (select count(*) from run where pipeline_id = ${id})::int as runs,
      (select count(*) from endpoint where pipeline_id = ${id})::int as endpoints`)) as unknown as { versions: number; runs: number; endpoints: number }[];
  return row!;
}

/** Deletes a pipeline with its versions and runs; endpoints it deployed keep serving, owned by no pipeline. */
export async function deletePipeline(db: Db, id: string) {
  const [p] = await db.delete(pipelines).where(eq(pipelines.id, id)).returning({ id: pipelines.id, name: pipelines.name });
  return p;
}
