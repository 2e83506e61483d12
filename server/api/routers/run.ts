import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { temporalClient } from "../../temporal/client";
import { cancelRun, getRun, listRuns, NotFoundError, PlanError, startRun } from "../../runs/service";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const runRouter = createTRPCRouter({
  start: publicProcedure.input(z.object({ pipelineId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    try {
      return { ok: true as const, ...(await startRun(ctx.db, await temporalClient(), input.pipelineId)) };
    } catch (e) {
      if (e instanceof PlanError) return { ok: false as const, errors: e.errors };
      if (e instanceof NotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: e.message });
      throw e;
    }
  }),
  byId: publicProcedure.input(z.object({ id: z.string().uuid() })).query(async ({ ctx, input }) => {
    const run = await getRun(ctx.db, input.id);
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `run ${input.id} not found` });
    return run;
  }),
  list: publicProcedure
    .input(z.object({ pipelineId: z.string().uuid().optional() }).default({}))
    .query(({ ctx, input }) => listRuns(ctx.db, input)),
  cancel: publicProcedure.input(z.object({ id: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    try {
      return await cancelRun(ctx.db, await temporalClient(), input.id);
    } catch (e) {
      if (e instanceof NotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: e.message });
      throw e;
    }
  }),
});
