import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { deleteTrigger, setTriggerPaused, triggerUpdate } from "~/server/schedules/triggers";

export const dynamic = "force-dynamic";

type Params = { id: string; triggerId: string };
const pipeline = { kind: "pipeline" as const, param: "id" as const, label: "pipeline" };

/** `{"paused": true|false}`: a resumed trigger starts from now (versions uploaded while paused do not fire). */
export const PUT = guarded<Params>("run", pipeline, async ({ req, db, params, principal, workspaceId }) =>
  json(await setTriggerPaused(db, principal, workspaceId, params.id, params.triggerId, triggerUpdate.parse(await readJsonBody(req)).paused)),
);

export const DELETE = guarded<Params>("run", pipeline, async ({ db, params, principal, workspaceId }) => json(await deleteTrigger(db, principal, workspaceId, params.id, params.triggerId)));
