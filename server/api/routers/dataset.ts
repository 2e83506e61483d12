import { listDatasets } from "~/server/datasets/service";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const datasetRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => listDatasets(ctx.db)),
});
