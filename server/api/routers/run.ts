import { z } from "zod";
import { cancelRun, getRun, startRun } from "~/server/runs/service";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const runRouter = createTRPCRouter({
  start: publicProcedure.input(z.object({ pipelineId: z.guid() })).mutation(({ ctx, input }) => startRun(ctx.db, input.pipelineId)),
  byId: publicProcedure.input(z.object({ id: z.guid() })).query(({ ctx, input }) => getRun(ctx.db, input.id)),
  cancel: publicProcedure.input(z.object({ id: z.guid() })).mutation(({ ctx, input }) => cancelRun(ctx.db, input.id)),
});
