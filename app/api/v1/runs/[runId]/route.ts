import { db } from "../../../../../db/client";
import { handle, HttpError, json, requireUuid } from "../../../../../server/http/errors";
import { getRun } from "../../../../../server/runs/service";

export const dynamic = "force-dynamic";

export const GET = handle(async (_req: Request, ctx: { params: Promise<{ runId: string }> }) => {
  const { runId } = await ctx.params;
  const run = await getRun(db(), requireUuid(runId, "run"));
  if (!run) throw new HttpError(404, { error: `run ${runId} not found` });
  const { graph: _graph, ...rest } = run;
  return json(rest);
});
