import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { createSchedule, listSchedules, scheduleBody } from "~/server/schedules/service";

export const dynamic = "force-dynamic";

const pipeline = { kind: "pipeline" as const, param: "id" as const, label: "pipeline" };

/** The pipeline's schedules: cron, time zone, paused, the next run times, recent runs. */
export const GET = guarded<{ id: string }>("read", pipeline, async ({ params }) => json({ schedules: await listSchedules(params.id) }));

/** A cron schedule `{"cron", "timezone"?, "note"?}`: 201 with its id and next run times. */
export const POST = guarded<{ id: string }>("run", pipeline, async ({ req, db, params, principal, workspaceId }) =>
  json(await createSchedule(db, principal, workspaceId, params.id, scheduleBody.parse(await readJsonBody(req))), 201),
);
