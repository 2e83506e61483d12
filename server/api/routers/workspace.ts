import { z } from "zod";
import { ForbiddenError } from "~/lib/errors";
import { listAudit } from "~/workflows/audit";
import { roles, scopes } from "~/server/auth/policy";
import { activeWorkspace, principalFrom, requestedWorkspace } from "~/server/auth/principal";
import { listSessions, revokeOtherSessions, revokeSession } from "~/server/auth/sessions";
import {
  acceptInvitation,
  createToken,
  createWorkspace,
  deleteSecret,
  describeInvitation,
  invite,
  listInvitations,
  listMembers,
  listPersonalTokens,
  listSecrets,
  listWorkspaceTokens,
  myWorkspaces,
  removeMember,
  revokeInvitation,
  revokeToken,
  setRole,
  setSecret,
} from "~/server/workspaces/service";
import { createTRPCRouter, publicProcedure, signedInProcedure, workspaceProcedure } from "../trpc";

const role = z.enum(roles as [string, ...string[]]).transform((r) => r as (typeof roles)[number]);
const scope = z.array(z.enum(scopes as [string, ...string[]]).transform((s) => s as (typeof scopes)[number])).min(1, "choose at least one scope");
const tokenInput = z.object({ name: z.string().trim().min(1).max(100), scopes: scope, expiresInDays: z.number().int().positive().max(3650).optional() });

export const workspaceRouter = createTRPCRouter({
  /** Who I am, where I can act, and which workspace the UI is in. */
  mine: signedInProcedure.query(async ({ ctx }) => {
    const principal = ctx.principal;
    return {
      user: { email: principal.kind === "user" ? principal.email : null, name: principal.kind === "user" ? principal.name : null, isAdmin: principal.isAdmin },
      workspaces: await myWorkspaces(ctx.db, principal),
      // A header naming a workspace the caller is not in leaves no active workspace (other procedures refuse it).
      active: await activeWorkspace(ctx.db, principal, requestedWorkspace(ctx.headers)).catch(() => null),
    };
  }),
  create: signedInProcedure.input(z.object({ name: z.string().trim().min(1).max(100) })).mutation(({ ctx, input }) => {
    if (ctx.principal.kind !== "user") throw new ForbiddenError("workspaces are created by a signed-in user");
    return createWorkspace(ctx.db, input.name, ctx.principal.userId);
  }),

  members: workspaceProcedure("read").query(({ ctx }) => listMembers(ctx.db, ctx.access.workspaceId)),
  setRole: workspaceProcedure("manage")
    .input(z.object({ userId: z.string().min(1), role }))
    .mutation(({ ctx, input }) => setRole(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.userId, input.role)),
  removeMember: workspaceProcedure("manage")
    .input(z.object({ userId: z.string().min(1) }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.userId)),

  invite: workspaceProcedure("manage")
    .input(z.object({ email: z.string().trim().email(), role }))
    .mutation(({ ctx, input }) => invite(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.email, input.role)),
  invitations: workspaceProcedure("manage").query(({ ctx }) => listInvitations(ctx.db, ctx.access.workspaceId)),
  revokeInvitation: workspaceProcedure("manage")
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.id)),

  workspaceTokens: workspaceProcedure("manage").query(({ ctx }) => listWorkspaceTokens(ctx.db, ctx.access.workspaceId)),
  createWorkspaceToken: workspaceProcedure("manage")
    .input(tokenInput)
    .mutation(({ ctx, input }) => createToken(ctx.db, actor(ctx.access.principal), { ...input, kind: "workspace", workspaceId: ctx.access.workspaceId })),
  revokeWorkspaceToken: workspaceProcedure("manage")
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => revokeToken(ctx.db, actor(ctx.access.principal), input.id, { workspaceId: ctx.access.workspaceId })),

  secrets: workspaceProcedure("read").query(({ ctx }) => listSecrets(ctx.db, ctx.access.workspaceId)),
  setSecret: workspaceProcedure("manage")
    .input(z.object({ name: z.string().min(1).max(64), value: z.string().min(1).max(16 * 1024) }))
    .mutation(({ ctx, input }) => setSecret(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.name, input.value)),
  deleteSecret: workspaceProcedure("manage")
    .input(z.object({ name: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => deleteSecret(ctx.db, actor(ctx.access.principal), ctx.access.workspaceId, input.name)),

  audit: workspaceProcedure("manage")
    .input(z.object({ action: z.string().max(64).optional(), actor: z.string().max(200).optional(), since: z.date().optional(), until: z.date().optional() }).default({}))
    .query(({ ctx, input }) => listAudit(ctx.db, ctx.access.workspaceId, input, { instanceEvents: ctx.access.principal.isAdmin })),
});

/** A user's personal tokens: managed signed in, or by one of their tokens that has the `admin` scope. */
export const tokenRouter = createTRPCRouter({
  mine: signedInProcedure.query(({ ctx }) => listPersonalTokens(ctx.db, tokenManager(ctx.principal))),
  create: signedInProcedure.input(tokenInput).mutation(({ ctx, input }) => {
    tokenManager(ctx.principal);
    return createToken(ctx.db, ctx.principal, { ...input, kind: "personal" });
  }),
  revoke: signedInProcedure
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => revokeToken(ctx.db, ctx.principal, input.id, { userId: tokenManager(ctx.principal) })),
});

/** The signed-in user's own browser sessions. */
export const accountRouter = createTRPCRouter({
  sessions: signedInProcedure.query(({ ctx }) => (ctx.principal.kind === "user" ? listSessions(ctx.db, ctx.principal.userId, ctx.principal.sessionId) : [])),
  revokeSession: signedInProcedure.input(z.object({ id: z.string().min(1).max(100) })).mutation(({ ctx, input }) => revokeSession(ctx.db, userOf(ctx.principal), input.id)),
  revokeOtherSessions: signedInProcedure.mutation(({ ctx }) => revokeOtherSessions(ctx.db, userOf(ctx.principal), ctx.principal.kind === "user" ? ctx.principal.sessionId : undefined)),
});

export const invitationRouter = createTRPCRouter({
  describe: publicProcedure.input(z.object({ token: z.string().min(1).max(200) })).query(({ ctx, input }) => describeInvitation(ctx.db, input.token)),
  accept: publicProcedure
    .input(z.object({ token: z.string().min(1).max(200), name: z.string().trim().max(100).optional(), password: z.string().max(128).optional() }))
    .mutation(async ({ ctx, input }) => {
      const principal = await principalFrom(ctx.db, ctx.headers);
      return acceptInvitation(ctx.db, input.token, { principal, name: input.name, password: input.password });
    }),
});

function tokenManager(principal: Parameters<typeof createToken>[1]): string {
  if (principal.kind === "token" && !principal.scopes.includes("admin")) throw new ForbiddenError(`this token's scopes (${principal.scopes.join(", ")}) do not allow it to manage tokens`);
  if (!principal.userId) throw new ForbiddenError("a workspace token has no personal tokens");
  return principal.userId;
}

function userOf(principal: Parameters<typeof createToken>[1]) {
  if (principal.kind !== "user" || !principal.userId) throw new ForbiddenError("sessions belong to a signed-in user, not to a token");
  return principal.userId;
}

function actor(principal: Parameters<typeof createToken>[1] | { kind: "anonymous" }) {
  if (principal.kind === "anonymous") throw new ForbiddenError("sign in first");
  return principal;
}
