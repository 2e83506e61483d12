import { z } from "zod";
import { artifactStore } from "~/workflows/artifacts";
import { batchScoreBody, cancelBatchScore, deleteBatchScore, getBatchScore, listBatchScores, startBatchScore } from "~/server/batch/service";
import { createTRPCRouter, resourceProcedure, workspaceProcedure } from "../trpc";

const id = z.object({ id: z.string().uuid() });

export const batchRouter = createTRPCRouter({
  list: workspaceProcedure("read")
    .input(z.object({ slug: z.string().min(1).max(100).optional() }))
    .query(({ ctx, input }) => listBatchScores(ctx.db, ctx.access.workspaceId, { slug: input.slug, limit: 20 })),
  byId: resourceProcedure("read", "batch-score")
    .input(id)
    .query(({ ctx, input }) => getBatchScore(ctx.db, input.id)),
  start: workspaceProcedure("run")
    .input(batchScoreBody)
    .mutation(({ ctx, input }) => startBatchScore(ctx.db, ctx.access.principal, ctx.access.workspaceId, input)),
  cancel: resourceProcedure("run", "batch-score")
    .input(id)
    .mutation(({ ctx, input }) => cancelBatchScore(ctx.db, input.id)),
  remove: resourceProcedure("run", "batch-score")
    .input(id)
    .mutation(({ ctx, input }) => deleteBatchScore(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input.id)),
});
