import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { listPipelines } from "~/server/pipelines/repository";
import { createPipelineFromDocument } from "~/server/pipelines/service";

export const dynamic = "force-dynamic";

export const GET = guarded("read", "active", async ({ db, workspaceId }) => json({ pipelines: await listPipelines(db, workspaceId) }));

export const POST = guarded("edit", "active", async ({ req, db, workspaceId }) => {
  const { id } = await createPipelineFromDocument(db, workspaceId, await readJsonBody(req));
  return json({ id }, 201, { location: `/api/v1/pipelines/${id}` });
});
