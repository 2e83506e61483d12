/**
 * The one place that decides: `authorize` resolves who asks, in which workspace, and asks
 * `can`. REST route handlers use it through `guarded`, tRPC through the procedures in
 * server/api/trpc.ts, pages through server/auth/pages.ts.
 */
import { db as getDb, type Db } from "~/db/client";
import type { Role } from "~/db/schema";
import { ForbiddenError, NotFoundError, UnauthenticatedError } from "~/lib/errors";
import { errorResponse } from "../http/errors";
import { can, refusal, type Action, type Actor, type Principal } from "./policy";
import { activeWorkspace, principalFrom, requestedWorkspace, roleOf, type RequestedWorkspace } from "./principal";
import { workspaceOfResource, type ResourceKind } from "./resources";

export interface Access {
  /** Who asks: never anonymous once authorised. */
  principal: Actor;
  workspaceId: string;
  role: Role;
  /** Asks for one more permission in the same workspace (e.g. `deploy` when a run deploys). */
  alsoRequire(action: Action): void;
}

/** Where an operation acts: the caller's active workspace, or the workspace of a named resource. */
export type Target = { kind: "active"; requested: RequestedWorkspace | null } | { kind: ResourceKind; id: string | undefined; label: string };

export async function authorize(db: Db, principal: Principal, action: Action, target: Target): Promise<Access> {
  if (principal.kind === "anonymous") throw new UnauthenticatedError("sign in, or send `Authorization: Bearer <token>`");
  const isResource = target.kind !== "active";
  const workspaceId = isResource ? await workspaceOfResource(db, target.kind, target.id) : await activeWorkspace(db, principal, target.requested);
  // A resource in a workspace the caller cannot see is, to them, a resource that does not exist.
  const missing = () => (isResource ? new NotFoundError(`${target.label} not found`) : new ForbiddenError("you are not a member of any workspace; ask an owner for an invitation"));
  if (!workspaceId) throw missing();
  const role = await roleOf(db, principal, workspaceId);
  if (!role) throw missing();
  const check = (a: Action) => {
    if (!can(principal, a, role)) throw new ForbiddenError(refusal(principal, a, role));
  };
  check(action);
  return { principal, workspaceId, role, alsoRequire: check };
}

/** Route segments: `[id]` is a string, `[...path]` a list. */
type Params = Record<string, string | string[]>;
interface RouteContext<P extends Params> extends Access {
  req: Request;
  params: P;
  db: Db;
}
type TargetOf<P extends Params> = "active" | { kind: ResourceKind; param: keyof P & string; label: string };

const segment = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

/** A REST route handler that only runs for callers `can(action)` allows on its target. */
export function guarded<P extends Params = Params>(action: Action, target: TargetOf<P>, fn: (ctx: RouteContext<P>) => Promise<Response>) {
  return async (req: Request, route?: { params: Promise<P> }): Promise<Response> => {
    try {
      const db = getDb();
      const params = ((await route?.params) ?? {}) as P;
      const principal = await principalFrom(db, req.headers);
      const resolved: Target =
        target === "active"
          ? { kind: "active", requested: requestedWorkspace(req.headers) }
          : { kind: target.kind, id: segment(params[target.param]), label: `${target.label} ${segment(params[target.param]) ?? ""}`.trim() };
      const access = await authorize(db, principal, action, resolved);
      return await fn({ ...access, req, params, db });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** A REST route any signed-in user or valid token may call, whatever its workspace roles. */
export function signedInRoute<P extends Params = Params>(fn: (ctx: { req: Request; params: P; db: Db; principal: Actor }) => Promise<Response>) {
  return async (req: Request, route?: { params: Promise<P> }): Promise<Response> => {
    try {
      const db = getDb();
      const principal = await principalFrom(db, req.headers);
      if (principal.kind === "anonymous") throw new UnauthenticatedError("sign in, or send `Authorization: Bearer <token>`");
      return await fn({ req, params: ((await route?.params) ?? {}) as P, db, principal });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/** A REST route anyone may call (health, OpenAPI, predictions until endpoint keys exist). */
export function publicRoute<P extends Params = Params>(fn: (ctx: { req: Request; params: P }) => Promise<Response>) {
  return async (req: Request, route?: { params: Promise<P> }): Promise<Response> => {
    try {
      return await fn({ req, params: ((await route?.params) ?? {}) as P });
    } catch (e) {
      return errorResponse(e);
    }
  };
}
