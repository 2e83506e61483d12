import { listEndpoints } from "~/server/endpoints/repository";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const endpointRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => listEndpoints(ctx.db)),
});
