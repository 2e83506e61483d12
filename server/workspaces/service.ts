/**
 * Workspaces and who is in them: members and roles, invitations, API tokens and secrets. Every
 * change to access is written to the audit log. Authorisation happens before these are called
 * (the route or procedure's declared action); these keep the invariants (a workspace always has
 * an owner, tokens are shown once and stored hashed, secrets are never read back out).
 */
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { accounts, apiTokens, invitations, memberships, secrets, users, workspaces, type Role, type TokenScope } from "~/db/schema";
import { newToken, seal, sha256 } from "~/lib/crypto";
import { env } from "~/lib/env";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { secretContext } from "~/workflows/secrets";
import { hashPassword } from "../auth/better-auth";
import { auditActor, roleGrants, scopeGrants, type Action, type Actor, type Principal } from "../auth/policy";


const INVITATION_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Users and workspaces

export async function createUserWithPassword(db: Db, u: { email: string; name: string; password: string; isAdmin?: boolean; emailVerified?: boolean }) {
  const email = u.email.trim().toLowerCase();
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (existing) throw new ConflictError(`an account for ${email} exists already; sign in instead`);
  if (u.password.length < 10) throw InvalidError.withProblems("the password is too short", [{ path: "password", message: "use at least 10 characters" }]);
  const id = randomUUID();
  const password = await hashPassword(u.password);
  try {
    await db.transaction(async (tx) => {
      await tx.insert(users).values({ id, email, name: u.name.trim() || email, emailVerified: !!u.emailVerified, isAdmin: !!u.isAdmin });
      // The credential account Better Auth signs in against (argon2id, as it verifies).
      await tx.insert(accounts).values({ id: randomUUID(), accountId: id, providerId: "credential", userId: id, password });
    });
  } catch (e) {
    // Two sign-ups for one email at once: the second finds the first's account.
    if ((e as { code?: string }).code === "23505") throw new ConflictError(`an account for ${email} exists already; sign in instead`);
    throw e;
  }
  return { id, email };
}

export async function createWorkspace(db: Db, name: string, ownerUserId: string) {
  const [ws] = await db.insert(workspaces).values({ name: name.trim() }).returning();
  await db.insert(memberships).values({ workspaceId: ws!.id, userId: ownerUserId, role: "owner" });
  await recordAudit(db, { action: "workspace.create", workspaceId: ws!.id, actorUserId: ownerUserId, target: ws!.name });
  return ws!;
}

/** The workspaces a principal can act in, with its role there (administrators see all). */
export async function myWorkspaces(db: Db, principal: Actor) {
  if (principal.kind === "token" && principal.tokenKind === "workspace") {
    const rows = await db.select({ id: workspaces.id, name: workspaces.name }).from(workspaces).where(eq(workspaces.id, principal.workspaceId ?? ""));
    return rows.map((w) => ({ ...w, role: "owner" as Role }));
  }
  if (principal.isAdmin) {
    const all = await db.select({ id: workspaces.id, name: workspaces.name }).from(workspaces).orderBy(asc(workspaces.createdAt));
    return all.map((w) => ({ ...w, role: "owner" as Role }));
  }
  return db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, principal.userId ?? ""))
    .orderBy(asc(memberships.createdAt));
}

// ---------------------------------------------------------------------------------------------
// Members and roles

export async function listMembers(db: Db, workspaceId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(memberships.createdAt));
}

/**
 * Changes one membership while keeping an owner in the workspace: the workspace's owner rows are
 * locked first, so two owners demoting each other at once cannot both succeed.
 */
async function changeMembership(db: Db, workspaceId: string, userId: string, change: (tx: Db, from: Role) => Promise<void>, losesOwner: (from: Role) => boolean) {
  return db.transaction(async (tx) => {
    const owners = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")))
      .for("update");
    const [m] = await tx.select().from(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId))).for("update");
    if (!m) throw new NotFoundError(`member ${userId} not found in this workspace`);
    if (losesOwner(m.role) && owners.length <= 1) throw new ConflictError("a workspace needs an owner: make someone else owner first");
    await change(tx as unknown as Db, m.role);
    return m.role;
  });
}

export async function setRole(db: Db, actor: Actor, workspaceId: string, userId: string, role: Role) {
  withinTokenScopes(actor, roleGrants[role], `give the role ${role}`);
  const from = await changeMembership(
    db,
    workspaceId,
    userId,
    (tx) => tx.update(memberships).set({ role }).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId))).then(() => {}),
    (was) => was === "owner" && role !== "owner",
  );
  await recordAudit(db, { action: "member.role", workspaceId, ...auditActor(actor), target: userId, details: { from, to: role } });
}

export async function removeMember(db: Db, actor: Actor, workspaceId: string, userId: string) {
  const from = await changeMembership(
    db,
    workspaceId,
    userId,
    (tx) => tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId))).then(() => {}),
    (was) => was === "owner",
  );
  await recordAudit(db, { action: "member.remove", workspaceId, ...auditActor(actor), target: userId, details: { role: from } });
}

/**
 * A token acts within its scopes, also when it hands out access: it cannot create a token, an
 * invitation or a role that could do what it cannot.
 */
function withinTokenScopes(actor: Actor, wanted: readonly Action[], what: string) {
  if (actor.kind !== "token") return;
  const missing = [...new Set(wanted)].filter((a) => !actor.scopes.some((s) => scopeGrants[s].includes(a)));
  if (missing.length) throw new ForbiddenError(`this token's scopes (${actor.scopes.join(", ")}) cannot ${what}: it would allow ${missing.join(", ")}`);
}

// ---------------------------------------------------------------------------------------------
// Invitations: a link with a one-time token. Without a mail server, the UI shows the link.

export async function invite(db: Db, actor: Actor, workspaceId: string, email: string, role: Role) {
  withinTokenScopes(actor, roleGrants[role], `invite ${role}s`);
  const normalized = email.trim().toLowerCase();
  const { token, hash } = newToken("inv");
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 24 * 3600 * 1000);
  const [inv] = await db.insert(invitations).values({ workspaceId, email: normalized, role, tokenHash: hash, invitedBy: actor.userId, expiresAt }).returning();
  await recordAudit(db, { action: "invitation.create", workspaceId, ...auditActor(actor), target: normalized, details: { role } });
  return { id: inv!.id, email: normalized, role, expiresAt, link: `${env().publicUrl}/invite/${token}` };
}

export async function listInvitations(db: Db, workspaceId: string) {
  return db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, createdAt: invitations.createdAt, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())))
    .orderBy(desc(invitations.createdAt));
}

export async function revokeInvitation(db: Db, actor: Actor, workspaceId: string, id: string) {
  const [inv] = await db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt)))
    .returning();
  if (!inv) throw new NotFoundError(`invitation ${id} not found`);
  await recordAudit(db, { action: "invitation.revoke", workspaceId, ...auditActor(actor), target: inv.email });
}

async function openInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ inv: invitations, workspace: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(and(eq(invitations.tokenHash, sha256(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())));
  if (!row) throw new NotFoundError("this invitation is not valid: it was used, revoked, or has expired");
  return row;
}

/** What the invitation page shows before it is accepted. */
export async function describeInvitation(db: Db, token: string) {
  const { inv, workspace } = await openInvitation(db, token);
  const [account] = await db.select({ id: users.id }).from(users).where(eq(users.email, inv.email));
  return { email: inv.email, role: inv.role, workspace, hasAccount: !!account };
}

/**
 * Accepts an invitation: a new account (name and password) for its email, or the signed-in
 * user's membership. Returns the email to sign in with.
 */
export async function acceptInvitation(db: Db, token: string, as: { principal: Principal; name?: string; password?: string }) {
  const { inv } = await openInvitation(db, token);
  let userId: string;
  if (as.principal.kind === "user") {
    // The link is for one person: a signed-in user accepts only an invitation to their own email.
    if (as.principal.email.toLowerCase() !== inv.email) throw new ForbiddenError(`this invitation is for ${inv.email}; you are signed in as ${as.principal.email}`);
    userId = as.principal.userId;
  } else if (as.password) {
    userId = (await createUserWithPassword(db, { email: inv.email, name: as.name ?? "", password: as.password, emailVerified: true })).id;
  } else {
    throw new ForbiddenError("sign in (or choose a password) to accept this invitation");
  }
  const role = await db.transaction(async (tx) => {
    const used = await tx
      .update(invitations)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invitations.id, inv.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    if (!used.length) throw new NotFoundError("this invitation is not valid: it was used, revoked, or has expired");
    const [member] = await tx.select({ role: memberships.role }).from(memberships).where(and(eq(memberships.workspaceId, inv.workspaceId), eq(memberships.userId, userId)));
    if (!member) {
      await tx.insert(memberships).values({ workspaceId: inv.workspaceId, userId, role: inv.role });
      return inv.role;
    }
    // A member keeps a higher role: an invitation raises a role, never lowers it.
    if (rank[inv.role] <= rank[member.role]) return member.role;
    await tx.update(memberships).set({ role: inv.role }).where(and(eq(memberships.workspaceId, inv.workspaceId), eq(memberships.userId, userId)));
    return inv.role;
  });
  // Following the owner's link for this email is the proof Millrace has that the address is theirs.
  await db.update(users).set({ emailVerified: true }).where(eq(users.id, userId));
  await recordAudit(db, { action: "invitation.accept", workspaceId: inv.workspaceId, actorUserId: userId, target: inv.email, details: { invited: inv.role, role } });
  return { email: inv.email, workspaceId: inv.workspaceId, role };
}

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

// ---------------------------------------------------------------------------------------------
// API tokens: shown once, stored as SHA-256, revocable, with the time they were last used.

export async function createToken(
  db: Db,
  actor: Actor,
  t: { kind: "personal" | "workspace"; name: string; scopes: TokenScope[]; workspaceId?: string; expiresInDays?: number },
) {
  if (t.kind === "personal" && actor.kind !== "user") throw new ForbiddenError("personal tokens are created by their user, signed in");
  if (!t.scopes.length) throw InvalidError.withProblems("a token needs at least one scope", [{ path: "scopes", message: "choose at least one" }]);
  withinTokenScopes(actor, t.scopes.flatMap((s) => scopeGrants[s]), `create a token with the scopes ${t.scopes.join(", ")}`);
  const { token, hash, prefix } = newToken("mr");
  const [row] = await db
    .insert(apiTokens)
    .values({
      name: t.name.trim(),
      kind: t.kind,
      userId: t.kind === "personal" ? actor.userId : null,
      workspaceId: t.kind === "workspace" ? t.workspaceId! : null,
      scopes: [...new Set(t.scopes)],
      prefix,
      hash,
      createdBy: actor.userId,
      expiresAt: t.expiresInDays ? new Date(Date.now() + t.expiresInDays * 24 * 3600 * 1000) : null,
    })
    .returning();
  await recordAudit(db, { action: "token.create", workspaceId: t.workspaceId ?? null, ...auditActor(actor), target: row!.id, details: { kind: t.kind, name: row!.name, scopes: row!.scopes } });
  return { id: row!.id, token, prefix, name: row!.name, scopes: row!.scopes, expiresAt: row!.expiresAt };
}

const tokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  kind: apiTokens.kind,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
};

export const listPersonalTokens = (db: Db, userId: string) =>
  db.select(tokenColumns).from(apiTokens).where(and(eq(apiTokens.kind, "personal"), eq(apiTokens.userId, userId))).orderBy(desc(apiTokens.createdAt));

export const listWorkspaceTokens = (db: Db, workspaceId: string) =>
  db.select(tokenColumns).from(apiTokens).where(and(eq(apiTokens.kind, "workspace"), eq(apiTokens.workspaceId, workspaceId))).orderBy(desc(apiTokens.createdAt));

/** Revokes a token the caller owns (personal) or manages (the workspace's). Refused at once from then on. */
export async function revokeToken(db: Db, actor: Actor, id: string, scope: { userId: string } | { workspaceId: string }) {
  const owned = "userId" in scope ? and(eq(apiTokens.kind, "personal"), eq(apiTokens.userId, scope.userId)) : and(eq(apiTokens.kind, "workspace"), eq(apiTokens.workspaceId, scope.workspaceId));
  const [row] = await db.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.id, id), owned, isNull(apiTokens.revokedAt))).returning();
  if (!row) throw new NotFoundError(`token ${id} not found`);
  await recordAudit(db, { action: "token.revoke", workspaceId: row.workspaceId, ...auditActor(actor), target: id, details: { kind: row.kind, name: row.name } });
}

// ---------------------------------------------------------------------------------------------
// Secrets: written, listed by name, deleted — never read back out through the API.

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export async function setSecret(db: Db, actor: Actor, workspaceId: string, name: string, value: string) {
  if (!SECRET_NAME.test(name)) throw InvalidError.withProblems("invalid secret name", [{ path: "name", message: "use letters, digits, '_', '.', '-' (at most 64), starting with a letter or '_'" }]);
  if (!value) throw InvalidError.withProblems("a secret needs a value", [{ path: "value", message: "is empty" }]);
  if (value.length > 16 * 1024) throw InvalidError.withProblems("the secret is too long", [{ path: "value", message: "at most 16 KiB" }]);
  const sealed = seal(value, secretContext(workspaceId, name));
  // One statement, so two saves of the same name at once cannot collide; xmax = 0 on a fresh insert.
  const [row] = await db
    .insert(secrets)
    .values({ workspaceId, name, sealed, createdBy: actor.userId })
    .onConflictDoUpdate({ target: [secrets.workspaceId, secrets.name], set: { sealed, updatedAt: new Date() } })
    .returning({ created: sql<boolean>`xmax = 0` });
  const created = !!row?.created;
  await recordAudit(db, { action: created ? "secret.create" : "secret.update", workspaceId, ...auditActor(actor), target: name });
  return { name, created };
}

export const listSecrets = (db: Db, workspaceId: string) =>
  db.select({ name: secrets.name, createdAt: secrets.createdAt, updatedAt: secrets.updatedAt }).from(secrets).where(eq(secrets.workspaceId, workspaceId)).orderBy(asc(secrets.name));

export async function deleteSecret(db: Db, actor: Actor, workspaceId: string, name: string) {
  const [row] = await db.delete(secrets).where(and(eq(secrets.workspaceId, workspaceId), eq(secrets.name, name))).returning({ id: secrets.id });
  if (!row) throw new NotFoundError(`secret '${name}' not found`);
  await recordAudit(db, { action: "secret.delete", workspaceId, ...auditActor(actor), target: name });
}
