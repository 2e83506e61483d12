import { z } from "zod";
import { createShare, listShares, revokeShare, sharedRun } from "~/server/runs/shares";
import { createTRPCRouter, publicProcedure, resourceProcedure } from "../trpc";

const run = z.object({ runId: z.string().uuid() });

export const shareRouter = createTRPCRouter({
  /** Share links are made by those who may change the workspace's work: they publish it. */
  create: resourceProcedure("edit", "run", "runId")
    .input(run.extend({ expiresInDays: z.number().int().min(1).max(365).nullable().default(30) }))
    .mutation(({ ctx, input }) => createShare(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.runId, input)),
  list: resourceProcedure("read", "run", "runId")
    .input(run)
    .query(({ ctx, input }) => listShares(ctx.db, input.runId)),
  revoke: resourceProcedure("edit", "run", "runId")
    .input(run.extend({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => revokeShare(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.runId, input.id)),
  /** The redacted run behind a link: open to anyone holding it. */
  view: publicProcedure.input(z.object({ token: z.string().min(1).max(200) })).query(({ ctx, input }) => sharedRun(ctx.db, input.token)),
});
