import { listDatasets } from "~/server/datasets/service";
import { createTRPCRouter, workspaceProcedure } from "../trpc";

export const datasetRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listDatasets(ctx.db, ctx.access.workspaceId)),
});
