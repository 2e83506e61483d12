import { env } from "~/lib/env";
import { guarded } from "~/server/auth/guard";
import { listEndpoints } from "~/server/endpoints/repository";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

/** The workspace's endpoints: what each serves (model, version, split), who may call it, its URL. */
export const GET = guarded("read", "active", async ({ db, workspaceId }) => {
  const rows = await listEndpoints(db, workspaceId);
  return json({
    endpoints: rows.map((e) => ({
      slug: e.slug,
      url: `${env().publicUrl}/api/v1/endpoints/${e.slug}/predict`,
      access: e.access,
      revision: e.revision,
      model: { id: e.modelVersionId, name: e.modelName, version: e.modelVersion },
      traffic: e.traffic,
      follows: e.follows,
      task: e.task,
      pipelineId: e.pipelineId,
      updatedAt: e.updatedAt,
    })),
  });
});
