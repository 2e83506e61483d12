import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { getRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

export const GET = guarded<{ runId: string }>("read", { kind: "run", param: "runId", label: "run" }, async ({ db, params }) => {
  const { graph: _graph, ...run } = await getRun(db, params.runId);
  return json(run);
});
