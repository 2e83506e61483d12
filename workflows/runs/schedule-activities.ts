/**
 * The activity behind a scheduled run: the pipeline's latest version compiled and recorded as a
 * run, which the workflow then runs. A pipeline that no longer compiles gets a failed run saying
 * why (so the run list shows it), not a silent gap.
 */
import { ApplicationFailure } from "@temporalio/common";
import { eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { pipelines, runs } from "~/db/schema";
import { DomainError, messageWithProblems, NotFoundError } from "~/lib/errors";
import { USER_ERROR_TYPE, type ScheduleActivities } from "~/workflows/temporal/shared";
import { prepareRun } from "./prepare";

export function createScheduleActivities({ db }: { db: Db }): ScheduleActivities {
  return {
    async prepareScheduledRun({ pipelineId, scheduleId }) {
      try {
        return await prepareRun(db, pipelineId, { scheduleId });
      } catch (e) {
        if (e instanceof NotFoundError) throw ApplicationFailure.nonRetryable(`the scheduled pipeline ${pipelineId} no longer exists`, USER_ERROR_TYPE);
        if (!(e instanceof DomainError)) throw e;
        const [p] = await db.select().from(pipelines).where(eq(pipelines.id, pipelineId));
        if (!p) return null;
        await db.insert(runs).values({
          workspaceId: p.workspaceId,
          pipelineId,
          pipelineVersion: p.latestVersion,
          scheduleId,
          status: "failed",
          error: `the scheduled run did not start: ${messageWithProblems(e)}`,
          finishedAt: new Date(),
        });
        return null;
      }
    },
  };
}
