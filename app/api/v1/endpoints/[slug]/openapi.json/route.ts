import { db } from "~/db/client";
import { env } from "~/lib/env";
import { publicRoute } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { endpointOpenApi } from "~/server/serving/openapi";
import { endpointModel } from "~/server/serving/runtime";
import { artifactStore } from "~/workflows/artifacts";
import { inputColumns } from "~/workflows/model/signature";

export const dynamic = "force-dynamic";

export const GET = publicRoute<{ slug: string }>(async ({ params }) => {
  const { endpoint, model } = await endpointModel(db(), artifactStore(), params.slug);
  return json(endpointOpenApi(env().publicUrl, params.slug, endpoint.modelVersion, model, inputColumns(model.file), endpoint.unknownFields));
});
