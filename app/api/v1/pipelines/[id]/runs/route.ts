import { db } from "../../../../../../db/client";
import { handle, HttpError, json, requireUuid } from "../../../../../../server/http/errors";
import { NotFoundError, PlanError, StartError, startRun } from "../../../../../../server/runs/service";
import { temporalClient } from "../../../../../../server/temporal/client";

export const dynamic = "force-dynamic";

export const POST = handle(async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const pipelineId = requireUuid(id, "pipeline");
  const temporal = await temporalClient().catch((e: unknown) => {
    throw new HttpError(503, { error: `Temporal is unavailable: ${e instanceof Error ? e.message : String(e)}` });
  });
  try {
    const { runId } = await startRun(db(), temporal, pipelineId);
    return json({ runId }, 201, { location: `/api/v1/runs/${runId}` });
  } catch (e) {
    if (e instanceof NotFoundError) throw new HttpError(404, { error: e.message });
    if (e instanceof PlanError) throw new HttpError(400, { error: "the pipeline does not compile", errors: e.errors });
    if (e instanceof StartError) throw new HttpError(503, { error: e.message });
    throw e;
  }
});
