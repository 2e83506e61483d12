/**
 * Server-rendered pages authorise like routes do: through `authorize`. An anonymous visitor is
 * sent to sign in and brought back; a resource in a workspace the visitor cannot see is a 404;
 * a missing permission is a 403 page.
 */
import { forbidden, notFound, redirect } from "next/navigation";
import { headers } from "next/headers";
import { db as getDb } from "~/db/client";
import { ForbiddenError, NotFoundError } from "~/lib/errors";
import { authorize, type Access, type Target } from "./guard";
import type { Action, Actor, Principal } from "./policy";
import { myWorkspaces } from "../workspaces/service";
import { activeWorkspace, principalFrom, requestedWorkspace } from "./principal";
import type { ResourceKind } from "./resources";

export type SignedIn = Actor;

/** The signed-in visitor, or a redirect to sign in that comes back to `here`. */
export async function requireSignedIn(here: string): Promise<SignedIn> {
  let principal: Principal;
  try {
    principal = await principalFrom(getDb(), await headers());
  } catch {
    principal = { kind: "anonymous" };
  }
  if (principal.kind === "anonymous") redirect(`/sign-in?next=${encodeURIComponent(here)}`);
  return principal;
}

/** The visitor's access for `action`, in their active workspace or in the workspace of a resource. */
export async function pageAccess(action: Action, here: string, resource?: { kind: ResourceKind; id: string; label: string }): Promise<Access> {
  const principal = await requireSignedIn(here);
  const target: Target = resource ? { kind: resource.kind, id: resource.id, label: resource.label } : { kind: "active", requested: requestedWorkspace(await headers()) };
  try {
    return await authorize(getDb(), principal, action, target);
  } catch (e) {
    if (e instanceof NotFoundError) notFound();
    if (e instanceof ForbiddenError) forbidden();
    throw e;
  }
}

/**
 * Whether a resource page's workspace is the visitor's active one. When it is not (a link from
 * another workspace), the page switches the visitor there first, so that everything the page
 * lists beside the resource (datasets, secrets, endpoints) comes from the same workspace.
 */
export async function isActiveWorkspace(access: Access): Promise<boolean> {
  const active = await activeWorkspace(getDb(), access.principal, requestedWorkspace(await headers())).catch(() => null);
  return active === access.workspaceId;
}

/** The header's view of the visitor: who, their workspaces and the active one; null for anonymous. */
export async function currentViewer() {
  const db = getDb();
  const h = await headers();
  let principal: Principal;
  try {
    principal = await principalFrom(db, h);
  } catch {
    return null;
  }
  if (principal.kind === "anonymous") return null;
  const [workspaces, active] = await Promise.all([
    myWorkspaces(db, principal),
    (async () => activeWorkspace(db, principal, requestedWorkspace(h)))().catch(() => null),
  ]);
  return {
    email: principal.kind === "user" ? principal.email : `token ${principal.tokenId.slice(0, 8)}`,
    isAdmin: principal.isAdmin,
    workspaces: workspaces.map((w) => ({ id: w.id, name: w.name, role: w.role })),
    active,
  };
}
