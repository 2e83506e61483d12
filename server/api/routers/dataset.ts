import { z } from "zod";
import { NotFoundError } from "~/lib/errors";
import { datasetUsage, deleteDataset, describeSourceQuery, duplicateDataset, listDatasets, renameDataset } from "~/server/datasets/service";
import { auditAs, createTRPCRouter, resourceProcedure, workspaceProcedure } from "../trpc";

export const datasetRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listDatasets(ctx.db, ctx.access.workspaceId)),
  rename: resourceProcedure("edit", "dataset")
    .input(z.object({ id: z.guid(), name: z.string().trim().min(1, "name is required").max(200) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await renameDataset(ctx.db, input.id, input.name))) throw new NotFoundError(`dataset ${input.id} not found`);
      return { id: input.id };
    }),
  /** A copy under "<name> (copy)", sharing the stored data. */
  duplicate: resourceProcedure("edit", "dataset")
    .input(z.object({ id: z.guid() }))
    .mutation(async ({ ctx, input }) => {
      const copy = await duplicateDataset(ctx.db, input.id);
      if (!copy) throw new NotFoundError(`dataset ${input.id} not found`);
      return copy;
    }),
  /** The pipelines that read the dataset now, to say before deleting it. */
  usage: resourceProcedure("read", "dataset")
    .input(z.object({ id: z.guid() }))
    .query(({ ctx, input }) => datasetUsage(ctx.db, input.id)),
  remove: resourceProcedure("edit", "dataset")
    .input(z.object({ id: z.guid() }))
    .mutation(async ({ ctx, input }) => {
      const usedBy = await datasetUsage(ctx.db, input.id);
      const gone = await deleteDataset(ctx.db, input.id);
      if (!gone) throw new NotFoundError(`dataset ${input.id} not found`);
      await auditAs(ctx, "dataset.delete", gone.name, { datasetId: gone.id, usedBy: usedBy.map((u) => u.name) });
      return { usedBy };
    }),
  /** The columns of a PostgreSQL query node's SELECT, described (not run) with a workspace secret. */
  describeQuery: workspaceProcedure("edit")
    .input(z.object({ connectionSecret: z.string().min(1).max(64), query: z.string().min(1).max(20_000) }))
    .mutation(({ ctx, input }) => describeSourceQuery(ctx.db, ctx.access.workspaceId, input.connectionSecret, input.query)),
});
