import { db } from "~/db/client";
import { handle, json, requireUuid } from "~/server/http/errors";
import { cancelRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const POST = handle(async (_req: Request, ctx: { params: Promise<{ runId: string }> }) => {
  const { runId } = await ctx.params;
  const res = await cancelRun(db(), requireUuid(runId, "run"));
  return json({ runId, previousStatus: res.status }, 202);
});
