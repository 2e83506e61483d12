import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { startRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const POST = guarded<{ id: string }>("run", { kind: "pipeline", param: "id", label: "pipeline" }, async ({ db, params, principal, alsoRequire }) => {
  // A run that deploys a model needs the right to deploy as well as to run.
  const { runId } = await startRun(db, params.id, { startedBy: principal.userId, checkDeploy: () => alsoRequire("deploy") });
  return json({ runId }, 201, { location: `/api/v1/runs/${runId}` });
});
