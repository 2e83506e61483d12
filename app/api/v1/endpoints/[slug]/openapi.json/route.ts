import { db } from "../../../../../../db/client";
import { artifactStore } from "../../../../../../server/artifacts";
import { env } from "../../../../../../server/env";
import { handle, HttpError, json } from "../../../../../../server/http/errors";
import { endpointOpenApi } from "../../../../../../server/rest/openapi";
import { endpointModel, inputColumns } from "../../../../../../server/serving/runtime";

export const dynamic = "force-dynamic";

export const GET = handle(async (_req: Request, ctx: { params: Promise<{ slug: string }> }) => {
  const { slug } = await ctx.params;
  const found = await endpointModel(db(), artifactStore(), slug);
  if (!found) throw new HttpError(404, { error: `no endpoint '${slug}'` });
  return json(endpointOpenApi(env().publicUrl, slug, found.endpoint.modelVersion, found.model, inputColumns(found.model)));
});
