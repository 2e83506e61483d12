import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { pipelineDocumentSchema, pipelineGraphSchema } from "../../../workflows/graph";
import { createPipeline, getPipeline, listPipelines, listVersions, savePipelineVersion } from "../../pipelines/repository";
import { compileWithDatasets } from "../../pipelines/validate";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const pipelineRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => listPipelines(ctx.db)),

  byId: publicProcedure
    .input(z.object({ id: z.string().uuid(), version: z.number().int().positive().optional() }))
    .query(async ({ ctx, input }) => {
      const p = await getPipeline(ctx.db, input.id, input.version);
      if (!p) throw new TRPCError({ code: "NOT_FOUND", message: `pipeline ${input.id} not found` });
      return p;
    }),

  versions: publicProcedure.input(z.object({ id: z.string().uuid() })).query(({ ctx, input }) => listVersions(ctx.db, input.id)),

  /** Drafts may be saved with errors; runs refuse them. */
  create: publicProcedure.input(pipelineDocumentSchema).mutation(({ ctx, input }) => createPipeline(ctx.db, input)),

  save: publicProcedure
    .input(z.object({ id: z.string().uuid(), document: pipelineDocumentSchema }))
    .mutation(async ({ ctx, input }) => {
      const saved = await savePipelineVersion(ctx.db, input.id, input.document);
      if (!saved) throw new TRPCError({ code: "NOT_FOUND", message: `pipeline ${input.id} not found` });
      return saved;
    }),

  validate: publicProcedure.input(pipelineGraphSchema).query(({ ctx, input }) => compileWithDatasets(ctx.db, input)),
});
