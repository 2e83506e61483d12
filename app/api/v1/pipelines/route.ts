import { db } from "~/db/client";
import { readJsonBody } from "~/server/http/body";
import { handle, json } from "~/server/http/errors";
import { listPipelines } from "~/server/pipelines/repository";
import { createPipelineFromDocument } from "~/server/pipelines/service";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json({ pipelines: await listPipelines(db()) }));

export const POST = handle(async (req: Request) => {
  const { id } = await createPipelineFromDocument(db(), await readJsonBody(req));
  return json({ id }, 201, { location: `/api/v1/pipelines/${id}` });
});
