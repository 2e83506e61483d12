import { desc, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, pipelines } from "~/db/schema";

export async function listEndpoints(db: Db) {
  return db
    .select({
      slug: endpoints.slug,
      pipelineId: endpoints.pipelineId,
      pipelineName: pipelines.name,
      monitored: endpoints.monitored,
      updatedAt: endpoints.updatedAt,
      modelVersion: modelVersions.version,
      task: modelVersions.task,
      metrics: modelVersions.metrics,
      runId: modelVersions.runId,
    })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId))
    .orderBy(desc(endpoints.updatedAt));
}

/** Slug → the pipeline serving it, for the compiler's ownership check. */
export async function endpointOwners(db: Db) {
  const rows = await db
    .select({ slug: endpoints.slug, pipelineId: endpoints.pipelineId, pipelineName: pipelines.name })
    .from(endpoints)
    .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId));
  return new Map(rows.map((r) => [r.slug, { pipelineId: r.pipelineId, pipelineName: r.pipelineName }]));
}

/** The model version an endpoint serves now. */
export async function resolveEndpoint(db: Db, slug: string) {
  const [row] = await db
    .select({
      slug: endpoints.slug,
      monitored: endpoints.monitored,
      modelVersionId: modelVersions.id,
      modelVersion: modelVersions.version,
      artifactUri: modelVersions.artifactUri,
      task: modelVersions.task,
    })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .where(eq(endpoints.slug, slug));
  return row;
}
