/**
 * Authorisation in one place: who may do what in a workspace. REST route guards, tRPC
 * procedures and pages all ask `can`; every route and procedure declares one `Action` (or
 * `public`), and a test enumerates them all.
 */
import type { Role, TokenScope } from "~/db/schema";

/**
 * - `read`: see pipelines, datasets, runs, models and endpoints
 * - `edit`: create and change pipelines, upload datasets
 * - `run`: start and cancel runs
 * - `deploy`: run pipelines that deploy a model (and, later, deploy and roll back); a token
 *   scoped `deploy` may also start runs, without which it could deploy nothing
 * - `manage`: members, roles, invitations, workspace tokens, secrets, the audit log
 */
export const actions = ["read", "edit", "run", "deploy", "manage"] as const;
export type Action = (typeof actions)[number];

/** What each role may do. */
export const roleGrants: Record<Role, readonly Action[]> = {
  viewer: ["read"],
  editor: ["read", "edit", "run", "deploy"],
  owner: ["read", "edit", "run", "deploy", "manage"],
};

/** What each token scope lets a token do (within what its user's role allows). */
export const scopeGrants: Record<TokenScope, readonly Action[]> = {
  read: ["read"],
  run: ["read", "edit", "run"],
  deploy: ["read", "run", "deploy"],
  admin: ["read", "manage"],
};

export const roles = Object.keys(roleGrants) as Role[];
export const scopes = Object.keys(scopeGrants) as TokenScope[];

export type Principal =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; email: string; name: string; isAdmin: boolean; sessionId?: string }
  | { kind: "token"; tokenId: string; tokenKind: "personal" | "workspace"; userId: string | null; workspaceId: string | null; scopes: TokenScope[]; isAdmin: boolean };

/** Who acts once authorised: never anonymous. */
export type Actor = Exclude<Principal, { kind: "anonymous" }>;

/** The actor as the audit log records it: the user, and the token when a token acted. */
export const auditActor = (p: Actor) => ({ actorUserId: p.userId, actorTokenId: p.kind === "token" ? p.tokenId : null });

/**
 * Whether the principal may do `action` in a workspace where it holds `role` (null: no role
 * there). A token can never do more than its scopes, nor more than its user's role.
 */
export function can(principal: Principal, action: Action, role: Role | null): boolean {
  if (principal.kind === "anonymous" || role === null) return false;
  if (!roleGrants[role].includes(action)) return false;
  return principal.kind === "user" || principal.scopes.some((s) => scopeGrants[s].includes(action));
}

const describeRole: Record<Role, string> = { viewer: "a viewer", editor: "an editor", owner: "an owner" };
const describeAction: Record<Action, string> = {
  read: "see this workspace",
  edit: "change pipelines and datasets",
  run: "start or cancel runs",
  deploy: "deploy models",
  manage: "manage members, tokens and secrets",
};

/** Why `can` said no, in words for a 403. */
export function refusal(principal: Principal, action: Action, role: Role | null): string {
  if (role && !roleGrants[role].includes(action)) return `as ${describeRole[role]} of this workspace you cannot ${describeAction[action]}`;
  if (principal.kind === "token") return `this token's scopes (${principal.scopes.join(", ")}) do not allow it to ${describeAction[action]}`;
  return `you cannot ${describeAction[action]}`;
}
