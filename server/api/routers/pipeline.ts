import { z } from "zod";
import { NotFoundError } from "~/lib/errors";
import { pipelineDocumentSchema } from "~/lib/pipeline/document";
import { createPipeline, getPipeline, listVersions, savePipelineVersion } from "~/server/pipelines/repository";
import { createTRPCRouter, resourceProcedure, workspaceProcedure } from "../trpc";

export const pipelineRouter = createTRPCRouter({
  byId: resourceProcedure("read", "pipeline")
    .input(z.object({ id: z.guid(), version: z.number().int().positive().optional() }))
    .query(async ({ ctx, input }) => {
      const p = await getPipeline(ctx.db, input.id, input.version);
      if (!p) throw new NotFoundError(`pipeline ${input.id} not found`);
      return p;
    }),

  versions: resourceProcedure("read", "pipeline")
    .input(z.object({ id: z.guid() }))
    .query(({ ctx, input }) => listVersions(ctx.db, input.id)),

  /** Drafts may be saved with errors; runs refuse them. */
  create: workspaceProcedure("edit")
    .input(pipelineDocumentSchema)
    .mutation(({ ctx, input }) => createPipeline(ctx.db, ctx.access.workspaceId, input)),

  save: resourceProcedure("edit", "pipeline")
    .input(z.object({ id: z.guid(), document: pipelineDocumentSchema, baseVersion: z.number().int().positive().optional() }))
    .mutation(async ({ ctx, input }) => {
      const saved = await savePipelineVersion(ctx.db, input.id, input.document, input.baseVersion);
      if (!saved) throw new NotFoundError(`pipeline ${input.id} not found`);
      return saved;
    }),
});
