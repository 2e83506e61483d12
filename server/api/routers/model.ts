import { z } from "zod";
import { listModels, modelVersionsOf, removeAlias, setAlias } from "~/server/models/service";
import { artifactStore } from "~/workflows/artifacts";
import { createTRPCRouter, workspaceProcedure } from "../trpc";

const name = z.object({ name: z.string().min(1).max(200) });

export const modelRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listModels(ctx.db, ctx.access.workspaceId)),
  versions: workspaceProcedure("read")
    .input(name)
    .query(({ ctx, input }) => modelVersionsOf(ctx.db, ctx.access.workspaceId, input.name)),
  setAlias: workspaceProcedure("deploy")
    .input(name.extend({ alias: z.string().max(40), version: z.number().int().positive().max(2_147_483_647), confirmSchemaChange: z.boolean().optional() }))
    .mutation(({ ctx, input }) => setAlias(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input.name, input.alias, input.version, input)),
  removeAlias: workspaceProcedure("deploy")
    .input(name.extend({ alias: z.string().max(40) }))
    .mutation(({ ctx, input }) => removeAlias(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.name, input.alias)),
});
