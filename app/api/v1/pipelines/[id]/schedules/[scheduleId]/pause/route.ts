import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { setPaused } from "~/server/schedules/service";

export const dynamic = "force-dynamic";

export const POST = guarded<{ id: string; scheduleId: string }>("run", { kind: "pipeline", param: "id", label: "pipeline" }, async ({ db, params, principal, workspaceId }) =>
  json(await setPaused(db, principal, workspaceId, params.id, params.scheduleId, true)),
);
