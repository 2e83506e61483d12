import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { createTrigger, listTriggers, triggerBody } from "~/server/schedules/triggers";

export const dynamic = "force-dynamic";

const pipeline = { kind: "pipeline" as const, param: "id" as const, label: "pipeline" };

/** The pipeline's dataset triggers, with what each last started. */
export const GET = guarded<{ id: string }>("read", pipeline, async ({ db, params }) => json({ triggers: await listTriggers(db, params.id) }));

/**
 * A trigger `{"datasetName", "parameter"?}`: each new version of the named dataset starts a run of
 * the latest version, the new dataset passed as `parameter`. A pipeline that deploys needs the right to deploy.
 */
export const POST = guarded<{ id: string }>("run", pipeline, async ({ req, db, params, principal, workspaceId, alsoRequire }) =>
  json(await createTrigger(db, principal, workspaceId, params.id, triggerBody.parse(await readJsonBody(req)), () => alsoRequire("deploy")), 201),
);
