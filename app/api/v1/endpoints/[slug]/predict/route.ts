import { db } from "~/db/client";
import { readJsonBody } from "~/server/http/body";
import { handle, json } from "~/server/http/errors";
import { predict } from "~/server/serving/runtime";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const POST = handle(async (req: Request, ctx: { params: Promise<{ slug: string }> }) => {
  const { slug } = await ctx.params;
  return json(await predict(db(), artifactStore(), slug, () => readJsonBody(req)));
});
