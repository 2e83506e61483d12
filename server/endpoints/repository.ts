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
