import { listEndpoints } from "~/server/endpoints/repository";
import { createTRPCRouter, workspaceProcedure } from "../trpc";

export const endpointRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listEndpoints(ctx.db, ctx.access.workspaceId)),
});
