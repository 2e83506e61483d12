import { z } from "zod";
import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { startRun } from "~/server/runs/service";

export const dynamic = "force-dynamic";

const options = z
  .object({
    ignoreCache: z.boolean().optional(),
    parameters: z.record(z.string().max(64), z.union([z.number(), z.string().max(10_000), z.boolean()])).optional(),
  })
  .strict();

/**
 * Starts a run; an optional JSON body: `{"ignoreCache": true}` runs every node again, `{"parameters":
 * {"nTrees": 300}}` chooses parameter values (the others take their defaults).
 */
export const POST = guarded<{ id: string }>("run", { kind: "pipeline", param: "id", label: "pipeline" }, async ({ req, db, params, principal, alsoRequire }) => {
  const hasBody = req.headers.get("content-type") !== null || (req.headers.get("content-length") ?? "0") !== "0";
  const { ignoreCache, parameters } = hasBody ? options.parse(await readJsonBody(req)) : {};
  // A run that deploys a model needs the right to deploy as well as to run.
  const { runId } = await startRun(db, params.id, { startedBy: principal.userId, checkDeploy: () => alsoRequire("deploy"), ignoreCache, parameters });
  return json({ runId }, 201, { location: `/api/v1/runs/${runId}` });
});
