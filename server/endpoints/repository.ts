import { desc, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, pipelines } from "~/db/schema";

export async function listEndpoints(db: Db, workspaceId: string) {
  return db
    .select({
      slug: endpoints.slug,
      pipelineId: endpoints.pipelineId,
      pipelineName: pipelines.name,
      monitored: endpoints.monitored,
      access: endpoints.access,
      traffic: endpoints.traffic,
      follows: endpoints.follows,
      revision: endpoints.revision,
      updatedAt: endpoints.updatedAt,
      modelVersionId: modelVersions.id,
      modelName: modelVersions.name,
      modelVersion: modelVersions.version,
      task: modelVersions.task,
      metrics: modelVersions.metrics,
      runId: modelVersions.runId,
    })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId))
    .where(eq(endpoints.workspaceId, workspaceId))
    .orderBy(desc(endpoints.updatedAt));
}

/**
 * Slug → the pipeline serving it, for the compiler's ownership check. Slugs are one namespace for
 * the whole instance; another workspace's endpoint shows as taken, without its pipeline's name.
 */
export async function endpointOwners(db: Db, workspaceId: string) {
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
