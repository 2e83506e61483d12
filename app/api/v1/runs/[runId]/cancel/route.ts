import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { cancelRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const POST = guarded<{ runId: string }>("run", { kind: "run", param: "runId", label: "run" }, async ({ db, params }) => {
  const res = await cancelRun(db, params.runId);
  return json({ runId: params.runId, previousStatus: res.status }, 202);
});
