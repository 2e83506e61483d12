import { db } from "~/db/client";
import { handle, json, requireUuid } from "~/server/http/errors";
import { getRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (_req: Request, ctx: { params: Promise<{ runId: string }> }) => {
  const { runId } = await ctx.params;
  const { graph: _graph, ...run } = await getRun(db(), requireUuid(runId, "run"));
  return json(run);
});
