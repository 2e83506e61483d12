import { z } from "zod";
import { NotFoundError } from "~/lib/errors";
import { pipelineDocumentSchema } from "~/lib/pipeline/document";
import { deleteSchedulesOf } from "~/server/schedules/service";
import { createPipeline, deletePipeline, getPipeline, listVersions, nameVersion, pipelineFootprint, renamePipeline, savePipelineVersion } from "~/server/pipelines/repository";
import { templates } from "~/lib/templates/gallery";
import { createFromTemplate } from "~/server/templates/service";
import { artifactStore } from "~/workflows/artifacts";
import { auditAs, createTRPCRouter, resourceProcedure, workspaceProcedure } from "../trpc";

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

  /** Gives a saved version a name (an empty one takes it away). */
  nameVersion: resourceProcedure("edit", "pipeline")
    .input(z.object({ id: z.guid(), version: z.number().int().positive(), label: z.string().trim().max(100, "a version name has at most 100 characters") }))
    .mutation(async ({ ctx, input }) => {
      if (!(await nameVersion(ctx.db, input.id, input.version, input.label || null))) throw new NotFoundError(`pipeline ${input.id} has no version ${input.version}`);
      return { version: input.version, label: input.label || null };
    }),

  footprint: resourceProcedure("read", "pipeline")
    .input(z.object({ id: z.guid() }))
    .query(({ ctx, input }) => pipelineFootprint(ctx.db, input.id)),

  rename: resourceProcedure("edit", "pipeline")
    .input(z.object({ id: z.guid(), name: z.string().trim().min(1, "name is required").max(200) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await renamePipeline(ctx.db, input.id, input.name))) throw new NotFoundError(`pipeline ${input.id} not found`);
      return { id: input.id };
    }),

  /** A new pipeline from the latest version of this one. */
  duplicate: resourceProcedure("edit", "pipeline")
    .input(z.object({ id: z.guid() }))
    .mutation(async ({ ctx, input }) => {
      const p = await getPipeline(ctx.db, input.id);
      if (!p) throw new NotFoundError(`pipeline ${input.id} not found`);
      return createPipeline(ctx.db, p.workspaceId, { name: `${p.name} (copy)`.slice(0, 200), parameters: p.parameters, notes: p.notes, nodes: p.nodes, edges: p.edges });
    }),

  /** Deletes the pipeline, its versions and its runs; the endpoints it deployed keep serving. */
  remove: resourceProcedure("edit", "pipeline")
    .input(z.object({ id: z.guid() }))
    .mutation(async ({ ctx, input }) => {
      const footprint = await pipelineFootprint(ctx.db, input.id);
      const gone = await deletePipeline(ctx.db, input.id);
      if (!gone) throw new NotFoundError(`pipeline ${input.id} not found`);
      // Its schedules go too (Temporal away: a schedule left behind fails its runs, saying the pipeline is gone).
      await deleteSchedulesOf(input.id).catch(() => {});
      await auditAs(ctx, "pipeline.delete", gone.name, { pipelineId: gone.id, ...footprint });
      return footprint;
    }),

  /** Ready pipelines over bundled sample datasets. */
  templates: workspaceProcedure("read").query(() => templates.map(({ id, title, description, dataset }) => ({ id, title, description, source: dataset.source }))),

  fromTemplate: workspaceProcedure("edit")
    .input(z.object({ template: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => createFromTemplate(ctx.db, artifactStore(), ctx.access.workspaceId, input.template)),

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
