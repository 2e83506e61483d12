import { db } from "~/db/client";
import { env } from "~/lib/env";
import { handle, json } from "~/server/http/errors";
import { endpointOpenApi } from "~/server/serving/openapi";
import { endpointModel } from "~/server/serving/runtime";
import { inputColumns } from "~/workflows/model/signature";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const GET = handle(async (_req: Request, ctx: { params: Promise<{ slug: string }> }) => {
  const { slug } = await ctx.params;
  const { endpoint, model } = await endpointModel(db(), artifactStore(), slug);
  return json(endpointOpenApi(env().publicUrl, slug, endpoint.modelVersion, model, inputColumns(model.file)));
});
