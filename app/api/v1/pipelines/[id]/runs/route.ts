import { db } from "~/db/client";
import { handle, json, requireUuid } from "~/server/http/errors";
import { startRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const POST = handle(async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const { runId } = await startRun(db(), requireUuid(id, "pipeline"));
  return json({ runId }, 201, { location: `/api/v1/runs/${runId}` });
});
