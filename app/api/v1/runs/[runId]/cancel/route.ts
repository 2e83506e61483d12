import { db } from "../../../../../../db/client";
import { handle, HttpError, json, requireUuid } from "../../../../../../server/http/errors";
import { cancelRun, NotFoundError } from "../../../../../../server/runs/service";
import { temporalClient } from "../../../../../../server/temporal/client";

export const dynamic = "force-dynamic";

export const POST = handle(async (_req: Request, ctx: { params: Promise<{ runId: string }> }) => {
  const { runId } = await ctx.params;
  try {
    const res = await cancelRun(db(), await temporalClient(), requireUuid(runId, "run"));
    return json({ runId, previousStatus: res.status }, 202);
  } catch (e) {
    if (e instanceof NotFoundError) throw new HttpError(404, { error: e.message });
    throw e;
  }
});
