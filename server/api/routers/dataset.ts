import { z } from "zod";
import { describeSourceQuery, listDatasets } from "~/server/datasets/service";
import { createTRPCRouter, workspaceProcedure } from "../trpc";

export const datasetRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listDatasets(ctx.db, ctx.access.workspaceId)),
  /** The columns of a PostgreSQL query node's SELECT, described (not run) with a workspace secret. */
  describeQuery: workspaceProcedure("edit")
    .input(z.object({ connectionSecret: z.string().min(1).max(64), query: z.string().min(1).max(20_000) }))
    .mutation(({ ctx, input }) => describeSourceQuery(ctx.db, ctx.access.workspaceId, input.connectionSecret, input.query)),
});
