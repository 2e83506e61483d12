import { z } from "zod";
import { createSchedule, deleteSchedule, listSchedules, scheduleBody, setPaused, triggerSchedule } from "~/server/schedules/service";
import { createTrigger, deleteTrigger, listTriggers, setTriggerPaused, triggerBody } from "~/server/schedules/triggers";
import { createTRPCRouter, resourceProcedure } from "../trpc";

const pipeline = z.object({ pipelineId: z.guid() });
const one = pipeline.extend({ scheduleId: z.string().min(1).max(200) });
const oneTrigger = pipeline.extend({ triggerId: z.guid() });

export const scheduleRouter = createTRPCRouter({
  list: resourceProcedure("read", "pipeline", "pipelineId")
    .input(pipeline)
    .query(({ input }) => listSchedules(input.pipelineId)),
  /** Schedules start runs: making one needs the right to run. */
  create: resourceProcedure("run", "pipeline", "pipelineId")
    .input(scheduleBody.extend(pipeline.shape))
    .mutation(({ ctx, input }) => createSchedule(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input)),
  pause: resourceProcedure("run", "pipeline", "pipelineId")
    .input(one)
    .mutation(({ ctx, input }) => setPaused(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input.scheduleId, true)),
  resume: resourceProcedure("run", "pipeline", "pipelineId")
    .input(one)
    .mutation(({ ctx, input }) => setPaused(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input.scheduleId, false)),
  trigger: resourceProcedure("run", "pipeline", "pipelineId")
    .input(one)
    .mutation(({ input }) => triggerSchedule(input.pipelineId, input.scheduleId)),
  remove: resourceProcedure("run", "pipeline", "pipelineId")
    .input(one)
    .mutation(({ ctx, input }) => deleteSchedule(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input.scheduleId)),
  /** Dataset triggers: a new version of a named dataset starts a run. */
  triggers: resourceProcedure("read", "pipeline", "pipelineId")
    .input(pipeline)
    .query(({ ctx, input }) => listTriggers(ctx.db, input.pipelineId)),
  createTrigger: resourceProcedure("run", "pipeline", "pipelineId")
    .input(triggerBody.extend(pipeline.shape))
    .mutation(({ ctx, input }) =>
      createTrigger(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, { datasetName: input.datasetName, parameter: input.parameter }, () => ctx.access.alsoRequire("deploy")),
    ),
  pauseTrigger: resourceProcedure("run", "pipeline", "pipelineId")
    .input(oneTrigger.extend({ paused: z.boolean() }))
    .mutation(({ ctx, input }) => setTriggerPaused(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input.triggerId, input.paused)),
  removeTrigger: resourceProcedure("run", "pipeline", "pipelineId")
    .input(oneTrigger)
    .mutation(({ ctx, input }) => deleteTrigger(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.pipelineId, input.triggerId)),
});
