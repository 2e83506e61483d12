/**
 * tRPC, in three parts: context, init, procedures. tRPC is the UI's API; scripts and CI use
 * the REST API under /api/v1. Both answer a domain error with the same status
 * (`errorStatus` in server/http/errors.ts), and both authorise through `authorize`
 * (server/auth/guard.ts): every procedure declares its action in `meta`.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { wire } from "~/lib/wire";
import { z } from "zod";
import { db, type Db } from "~/db/client";
import { withoutLocalPaths } from "~/lib/env";
import { DomainError, UnauthenticatedError } from "~/lib/errors";
import { authorize, type Access } from "../auth/guard";
import { auditActor, type Action, type Actor } from "../auth/policy";
import { principalFrom, requestedWorkspace } from "../auth/principal";
import type { ResourceKind } from "../auth/resources";
import { errorStatus, lostDatabase, UNAVAILABLE_MESSAGE } from "../http/errors";
import { recordAudit } from "~/workflows/audit";

// 1. Context
export const createContext = async ({ req }: { req: Request }) => ({ db: db(), headers: req.headers });
type Context = Awaited<ReturnType<typeof createContext>>;

/** What a procedure needs: an action in a workspace, a signed-in caller, or nothing. */
export interface Meta {
  action: Action | "signed-in" | "public";
  /** For an action on one resource: its kind (the caller's workspace does not matter then, the resource's does). */
  resource?: ResourceKind;
}

// 2. Init: the error's structured details (e.g. `errors` naming nodes and fields) travel in `data`;
// an input that fails its schema reads like any other invalid input, not like a zod dump.
const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: wire,
    errorFormatter: ({ shape, error }) => {
      const cause = error.cause;
      if (cause instanceof DomainError) {
        return { ...shape, message: withoutLocalPaths(shape.message), data: { ...shape.data, kind: cause.kind, ...cause.details } };
      }
      if (cause instanceof z.ZodError) {
        const errors = cause.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        return { ...shape, message: errors.map((e) => e.message).join("; "), data: { ...shape.data, kind: "invalid", errors } };
      }
      return shape;
    },
  });
export const createTRPCRouter = t.router;

/** Domain errors thrown by services become the tRPC code of their kind. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: errorStatus[cause.kind].trpc, message: cause.message, cause });
  }
  // A lost database connection is a 503 to try again, as over REST, not an internal error.
  if (!result.ok && lostDatabase(result.error.cause)) {
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause: result.error.cause });
  }
  return result;
});

const base = t.procedure.use(domainErrors);

/** Runs `fn` with a DomainError turned into the matching TRPCError (for context set-up in middleware). */
async function asTrpc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError) throw new TRPCError({ code: errorStatus[e.kind].trpc, message: e.message, cause: e });
    throw e;
  }
}

// 3. Procedures: every one declares what it needs.

/** Anyone (looking up and accepting an invitation). */
export const publicProcedure = base.meta({ action: "public" });

/** A signed-in caller, in no particular workspace (their workspaces, their own tokens). */
export const signedInProcedure = base.meta({ action: "signed-in" }).use(async ({ ctx, next }) => {
  const principal = await asTrpc(() => principalFrom(ctx.db, ctx.headers));
  if (principal.kind === "anonymous") throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first", cause: new UnauthenticatedError("sign in first") });
  return next({ ctx: { ...ctx, principal: principal as Actor } });
});

/** `action` in the caller's active workspace (lists, and creating things there). */
export const workspaceProcedure = (action: Action) =>
  base.meta({ action }).use(async ({ ctx, next }) => {
    const access = await asTrpc(async () =>
      authorize(ctx.db, await principalFrom(ctx.db, ctx.headers), action, { kind: "active", requested: requestedWorkspace(ctx.headers) }),
    );
    return next({ ctx: { ...ctx, access } });
  });

/** `action` in the workspace of the resource whose id is the input's `field`. */
export const resourceProcedure = (action: Action, kind: ResourceKind, field = "id") =>
  base.meta({ action, resource: kind }).use(async ({ ctx, getRawInput, next }) => {
    const raw = (await getRawInput()) as Record<string, unknown> | undefined;
    const id = typeof raw?.[field] === "string" ? (raw[field] as string) : undefined;
    const access = await asTrpc(async () => authorize(ctx.db, await principalFrom(ctx.db, ctx.headers), action, { kind, id, label: `${kind} ${id ?? ""}`.trim() }));
    return next({ ctx: { ...ctx, access } });
  });

/** Records an audit event by the caller of an authorised procedure, in its workspace. */
export async function auditAs(ctx: { db: Db; access: Access }, action: string, target: string, details: Record<string, unknown>) {
  const p = ctx.access.principal;
  await recordAudit(ctx.db, {
    action,
    workspaceId: ctx.access.workspaceId,
    ...auditActor(p),
    target,
    details,
  });
}
