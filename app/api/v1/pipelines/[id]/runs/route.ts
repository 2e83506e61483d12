import { db } from "../../../../../../db/client";
import { handle, HttpError, json, requireUuid } from "../../../../../../server/http/errors";
import { NotFoundError, PlanError, startRun } from "../../../../../../server/runs/service";
import { temporalClient } from "../../../../../../server/temporal/client";

export const dynamic = "force-dynamic";

export const POST = handle(async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  try {
    const { runId } = await startRun(db(), await temporalClient(), requireUuid(id, "pipeline"));
    return json({ runId }, 201, { location: `/api/v1/runs/${runId}` });
  } catch (e) {
    if (e instanceof NotFoundError) throw new HttpError(404, { error: e.message });
    if (e instanceof PlanError) throw new HttpError(400, { error: "the pipeline does not compile", errors: e.errors });
    throw e;
  }
});
