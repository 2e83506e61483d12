/**
 * Who is asking: a bearer token (`Authorization: Bearer mr_…`), a signed-in session (cookie), or
 * nobody. And what role they hold in a workspace, which is all `can` needs.
 */
import { and, asc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Db } from "~/db/client";
import { apiTokens, memberships, users, workspaces, type Role } from "~/db/schema";
import { ForbiddenError, InvalidError, UnauthenticatedError } from "~/lib/errors";
import { auth } from "./better-auth";
import { sha256 } from "~/lib/crypto";
import { isUuid } from "../http/errors";
import { bearerToken } from "../http/bearer";
import type { Principal } from "./policy";

/** Tokens record when they were last used, at most once a minute. */
const LAST_USED_EVERY_MS = 60_000;

async function tokenPrincipal(db: Db, token: string): Promise<Principal> {
  const [row] = await db
    .select({ token: apiTokens, isAdmin: users.isAdmin })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.hash, sha256(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date()))));
  // A token that is wrong, revoked or expired is refused outright, never taken as anonymous.
  if (!row) throw new UnauthenticatedError("the bearer token is not valid (unknown, revoked or expired)");
  const t = row.token;
  if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    void db
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(apiTokens.id, t.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(Date.now() - LAST_USED_EVERY_MS)))))
      .catch(() => {});
  }
  return {
    kind: "token",
    tokenId: t.id,
    tokenKind: t.kind,
    userId: t.userId,
    workspaceId: t.workspaceId,
    scopes: t.scopes,
    isAdmin: t.kind === "personal" && !!row.isAdmin,
  };
}

export async function principalFrom(db: Db, headers: Headers): Promise<Principal> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const token = bearerToken(authorization);
    if (!token) throw new UnauthenticatedError("the Authorization header must be `Bearer <token>`");
    return tokenPrincipal(db, token);
  }
  const session = await auth().api.getSession({ headers });
  if (!session) return { kind: "anonymous" };
  const u = session.user as typeof session.user & { isAdmin?: boolean };
  return { kind: "user", userId: u.id, email: u.email, name: u.name, isAdmin: !!u.isAdmin, sessionId: session.session.id };
}

/** The principal's role in a workspace, or null. Instance administrators are owners everywhere. */
export async function roleOf(db: Db, principal: Principal, workspaceId: string): Promise<Role | null> {
  if (principal.kind === "anonymous") return null;
  if (principal.kind === "token" && principal.tokenKind === "workspace") return principal.workspaceId === workspaceId ? "owner" : null;
  if (principal.isAdmin) {
    const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId));
    return ws ? "owner" : null;
  }
  if (!principal.userId) return null;
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, principal.userId)));
  return m?.role ?? null;
}

/** The workspaces a principal belongs to, oldest membership first. */
async function workspacesOf(db: Db, principal: Principal): Promise<string[]> {
  if (principal.kind === "anonymous") return [];
  if (principal.kind === "token" && principal.tokenKind === "workspace") return principal.workspaceId ? [principal.workspaceId] : [];
  if (!principal.userId) return [];
  const rows = await db
    .select({ id: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, principal.userId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((r) => r.id);
}

/** The workspace a request asks for: by header (a script's explicit choice) or by the UI's cookie (a preference). */
export interface RequestedWorkspace {
  id: string;
  explicit: boolean;
}

/**
 * The workspace a request acts in when it names none by resource. A header naming a workspace
 * the principal is not in is refused; a stale cookie falls back to the principal's first.
 */
export async function activeWorkspace(db: Db, principal: Principal, requested: RequestedWorkspace | null): Promise<string | null> {
  if (requested && (await roleOf(db, principal, requested.id))) return requested.id;
  if (requested?.explicit) throw new ForbiddenError(`you are not a member of workspace ${requested.id}`);
  const mine = await workspacesOf(db, principal);
  return mine[0] ?? null;
}

const WORKSPACE_COOKIE = "millrace-workspace";
const WORKSPACE_HEADER = "x-millrace-workspace";

export function requestedWorkspace(headers: Headers): RequestedWorkspace | null {
  const explicit = headers.get(WORKSPACE_HEADER);
  if (explicit !== null) {
    if (!isUuid(explicit.trim())) throw new InvalidError(`${WORKSPACE_HEADER} must be a workspace id (a UUID)`);
    return { id: explicit.trim().toLowerCase(), explicit: true };
  }
  const m = new RegExp(`(?:^|;\\s*)${WORKSPACE_COOKIE}=([0-9a-f-]{36})(?:;|$)`).exec(headers.get("cookie") ?? "");
  return m ? { id: m[1]!, explicit: false } : null;
}
