/**
 * Schedules: cron schedules per pipeline on Temporal Schedules. Each starts `scheduledRun`
 * (workflows/temporal/scheduled-workflow.ts), which records and runs the pipeline's latest
 * version; a run still going when the next is due makes that one skip. Temporal keeps the
 * schedule — its pause state, next times and recent actions; the cron as written and the
 * pipeline and workspace travel in its memo.
 */
import { randomUUID } from "node:crypto";
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleDescription } from "@temporalio/client";
import { z } from "zod";
import { env } from "~/lib/env";
import { InvalidError, messageOf, NotFoundError, UnavailableError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { temporalClient } from "~/workflows/temporal/client";
import { SCHEDULED_WORKFLOW, scheduleIdFor, taskQueueOf, type ScheduledRunInput } from "~/workflows/temporal/shared";
import type { Db } from "~/db/client";
import { auditActor, type Actor } from "../auth/policy";

/** Five cron fields (minute hour day-of-month month day-of-week), or a shorthand such as @daily. */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|hourly)|([0-9*/,\-A-Za-z?]+\s+){4}[0-9*/,\-A-Za-z?]+)$/;

export const scheduleBody = z
  .object({
    cron: z.string().trim().max(100).regex(CRON, "a cron expression of five fields (minute hour day month weekday), e.g. '0 6 * * *', or @daily / @hourly"),
    timezone: z.string().trim().min(1).max(64).default("UTC"),
    note: z.string().trim().max(200).optional(),
  })
  .strict();

const prefixOf = (pipelineId: string) => scheduleIdFor(pipelineId, "");

async function client() {
  try {
    return await temporalClient();
  } catch (e) {
    throw new UnavailableError(`schedules need Temporal, which is unavailable: ${messageOf(e)}`);
  }
}

function present(d: ScheduleDescription) {
  const memo = (d.memo ?? {}) as { cron?: string; timezone?: string; createdBy?: string | null };
  return {
    id: d.scheduleId,
    cron: memo.cron ?? "",
    timezone: memo.timezone ?? "UTC",
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRuns: d.info.nextActionTimes.slice(0, 3),
    recent: d.info.recentActions.slice(-5).map((a) => ({ at: a.takenAt, scheduledAt: a.scheduledAt })),
    createdAt: d.info.createdAt,
  };
}

const SCHEDULE_ID = /^pipeline-[0-9a-f-]{36}-[0-9a-f]{1,16}$/;

/** The schedule, if it is one of this pipeline's; "not found" otherwise. */
async function handleOf(pipelineId: string, scheduleId: string) {
  if (!SCHEDULE_ID.test(scheduleId)) throw InvalidError.withProblems("not a schedule id", [{ path: "scheduleId", message: "a schedule id looks like pipeline-<pipeline id>-<8 hex digits>" }]);
  if (!scheduleId.startsWith(prefixOf(pipelineId))) throw new NotFoundError(`pipeline ${pipelineId} has no schedule '${scheduleId}'`);
  const handle = (await client()).schedule.getHandle(scheduleId);
  try {
    return { handle, description: await handle.describe() };
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new NotFoundError(`pipeline ${pipelineId} has no schedule '${scheduleId}'`);
    throw e;
  }
}

export async function listSchedules(pipelineId: string) {
  const c = await client();
  const out: ReturnType<typeof present>[] = [];
  for await (const s of c.schedule.list()) {
    if (!s.scheduleId.startsWith(prefixOf(pipelineId))) continue;
    try {
      out.push(present(await c.schedule.getHandle(s.scheduleId).describe()));
    } catch (e) {
      if (!(e instanceof ScheduleNotFoundError)) throw e;
    }
  }
  return out.sort((a, b) => +new Date(a.createdAt) - +new Date(b.createdAt));
}

export async function createSchedule(db: Db, actor: Actor, workspaceId: string, pipelineId: string, body: z.infer<typeof scheduleBody>) {
  const c = await client();
  const scheduleId = scheduleIdFor(pipelineId, randomUUID().slice(0, 8));
  const args: [ScheduledRunInput] = [{ pipelineId, scheduleId }];
  try {
    await c.schedule.create({
      scheduleId,
      spec: { cronExpressions: [body.cron], timezone: body.timezone },
      action: { type: "startWorkflow", workflowType: SCHEDULED_WORKFLOW, args, taskQueue: taskQueueOf(env()), workflowId: `scheduled-${scheduleId}` },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: "1 minute" },
      memo: { cron: body.cron, timezone: body.timezone, pipelineId, workspaceId, createdBy: actor.userId ?? null },
      state: { note: body.note ?? "" },
    });
  } catch (e) {
    // Temporal is the judge of what a cron expression and a time zone mean.
    if (e instanceof TypeError || /invalid|time ?zone|cron|not in range/i.test(messageOf(e))) {
      const why = messageOf(e).split("\n")[0]!.slice(0, 300);
      throw InvalidError.withProblems(`invalid schedule '${body.cron}' (${body.timezone}): ${why}`, [{ path: "cron", message: why }]);
    }
    throw e;
  }
  await recordAudit(db, { action: "schedule.create", workspaceId, ...auditActor(actor), target: pipelineId, details: { scheduleId, cron: body.cron, timezone: body.timezone } });
  const { description } = await handleOf(pipelineId, scheduleId);
  return present(description);
}

export async function setPaused(db: Db, actor: Actor, workspaceId: string, pipelineId: string, scheduleId: string, paused: boolean) {
  const { handle } = await handleOf(pipelineId, scheduleId);
  const note = `${paused ? "paused" : "resumed"} by ${actor.kind === "user" ? actor.email : "an API token"}`;
  if (paused) await handle.pause(note);
  else await handle.unpause(note);
  await recordAudit(db, { action: paused ? "schedule.pause" : "schedule.resume", workspaceId, ...auditActor(actor), target: pipelineId, details: { scheduleId } });
  return present(await handle.describe());
}

/** Starts the scheduled run now, once, without changing the schedule. */
export async function triggerSchedule(pipelineId: string, scheduleId: string) {
  const { handle } = await handleOf(pipelineId, scheduleId);
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  return { triggered: scheduleId };
}

export async function deleteSchedule(db: Db, actor: Actor, workspaceId: string, pipelineId: string, scheduleId: string) {
  const { handle } = await handleOf(pipelineId, scheduleId);
  await handle.delete();
  await recordAudit(db, { action: "schedule.delete", workspaceId, ...auditActor(actor), target: pipelineId, details: { scheduleId } });
  return { deleted: scheduleId };
}

/** A deleted pipeline takes its schedules with it (best effort: a schedule left behind fails its runs, saying the pipeline is gone). */
export async function deleteSchedulesOf(pipelineId: string) {
  const c = await client();
  for await (const s of c.schedule.list()) if (s.scheduleId.startsWith(prefixOf(pipelineId))) await c.schedule.getHandle(s.scheduleId).delete().catch(() => {});
}
