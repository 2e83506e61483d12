/** API tokens and secrets at rest, and what tokens may do, against the real database. */
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { apiTokens, memberships, secrets, workspaces } from "~/db/schema";
import { sha256 } from "~/lib/crypto";
import { readSecret } from "~/workflows/secrets";
import { acceptInvitation, createToken, createUserWithPassword, invite, listSecrets, revokeToken, setRole, setSecret } from "~/server/workspaces/service";
import { authorize } from "./guard";
import { principalFrom } from "./principal";

afterAll(async () => {
  await closeDb();
});

const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: Error) => `${e.constructor.name}: ${e.message}`);

async function userIn(workspaceId: string, role: "viewer" | "editor" | "owner", email: string) {
  const user = await createUserWithPassword(db(), { email, name: email, password: "token-test-password" });
  await db().insert(memberships).values({ workspaceId, userId: user.id, role });
  return { kind: "user" as const, userId: user.id, email, name: email, isAdmin: false };
}

describe("API tokens", () => {
  it("are stored only as hashes, act within their scopes and their user's role, and stop the moment they are revoked", async () => {
    const [ws] = await db().insert(workspaces).values({ name: "Tokens" }).returning();
    const editor = await userIn(ws!.id, "editor", "token-editor@example.com");
    const { token, id } = await createToken(db(), editor, { kind: "personal", name: "ci", scopes: ["read", "run"] });

    // At rest: the SHA-256 and a short prefix, never the token.
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, id));
    expect(row!.hash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(token.startsWith(row!.prefix)).toBe(true);
    expect(row!.prefix.length).toBeLessThan(token.length / 3);

    const principal = await principalFrom(db(), bearer(token));
    const active = { kind: "active" as const, requested: { id: ws!.id, explicit: true } };
    await expect(authorize(db(), principal, "run", active)).resolves.toMatchObject({ workspaceId: ws!.id, role: "editor" });
    expect(await refusal(authorize(db(), principal, "deploy", active))).toBe("ForbiddenError: this token's scopes (read, run) do not allow it to deploy models");

    // A token never does more than its user's role: an admin-scoped token of a viewer cannot manage.
    const viewer = await userIn(ws!.id, "viewer", "token-viewer@example.com");
    const wide = await createToken(db(), viewer, { kind: "personal", name: "wide", scopes: ["read", "run", "deploy", "admin"] });
    const viewerPrincipal = await principalFrom(db(), bearer(wide.token));
    expect(await refusal(authorize(db(), viewerPrincipal, "manage", active))).toBe("ForbiddenError: as a viewer of this workspace you cannot manage members, tokens and secrets");
    expect(await refusal(authorize(db(), viewerPrincipal, "run", active))).toBe("ForbiddenError: as a viewer of this workspace you cannot start or cancel runs");

    await revokeToken(db(), editor, id, { userId: editor.userId });
    expect(await refusal(principalFrom(db(), bearer(token)))).toBe("UnauthenticatedError: the bearer token is not valid (unknown, revoked or expired)");
    // Revoking twice, or someone else's token, finds nothing.
    expect(await refusal(revokeToken(db(), editor, id, { userId: editor.userId }))).toBe(`NotFoundError: token ${id} not found`);
    expect(await refusal(revokeToken(db(), viewer, wide.id, { userId: editor.userId }))).toBe(`NotFoundError: token ${wide.id} not found`);
  });

  it("expire, and a workspace token acts in its own workspace only", async () => {
    const [ws] = await db().insert(workspaces).values({ name: "Tokens 2" }).returning();
    const [elsewhere] = await db().insert(workspaces).values({ name: "Tokens elsewhere" }).returning();
    const owner = await userIn(ws!.id, "owner", "token-owner@example.com");
    const expiring = await createToken(db(), owner, { kind: "personal", name: "old", scopes: ["read"], expiresInDays: 1 });
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expiring.id));
    expect(await refusal(principalFrom(db(), bearer(expiring.token)))).toBe("UnauthenticatedError: the bearer token is not valid (unknown, revoked or expired)");

    const wsToken = await createToken(db(), owner, { kind: "workspace", name: "deployer", scopes: ["read", "run"], workspaceId: ws!.id });
    const principal = await principalFrom(db(), bearer(wsToken.token));
    await expect(authorize(db(), principal, "run", { kind: "active", requested: null })).resolves.toMatchObject({ workspaceId: ws!.id });
    expect(await refusal(authorize(db(), principal, "read", { kind: "active", requested: { id: elsewhere!.id, explicit: true } }))).toBe(
      `ForbiddenError: you are not a member of workspace ${elsewhere!.id}`,
    );
    // Malformed credentials are refused, never taken as anonymous.
    expect(await refusal(principalFrom(db(), new Headers({ authorization: "Basic abc" })))).toBe("UnauthenticatedError: the Authorization header must be `Bearer <token>`");
  });
});

describe("what tokens hand out", () => {
  it("never more than their scopes: no wider token, no invitation or role beyond them", async () => {
    const [ws] = await db().insert(workspaces).values({ name: "Escalation" }).returning();
    const owner = await userIn(ws!.id, "owner", "escalation-owner@example.com");
    const adminOnly = await createToken(db(), owner, { kind: "workspace", name: "admin-only", scopes: ["admin"], workspaceId: ws!.id });
    const actor = await principalFrom(db(), bearer(adminOnly.token));
    if (actor.kind === "anonymous") throw new Error("unreachable");
    expect(await refusal(createToken(db(), actor, { kind: "workspace", name: "wider", scopes: ["run", "deploy"], workspaceId: ws!.id }))).toBe(
      "ForbiddenError: this token's scopes (admin) cannot create a token with the scopes run, deploy: it would allow edit, run, deploy",
    );
    expect(await refusal(invite(db(), actor, ws!.id, "someone@example.com", "owner"))).toBe(
      "ForbiddenError: this token's scopes (admin) cannot invite owners: it would allow edit, run, deploy",
    );
    const viewer = await userIn(ws!.id, "viewer", "escalation-viewer@example.com");
    expect(await refusal(setRole(db(), actor, ws!.id, viewer.userId, "editor"))).toBe("ForbiddenError: this token's scopes (admin) cannot give the role editor: it would allow edit, run, deploy");
    // Within its scopes it may: a read-and-admin token for a viewer's invitation.
    await expect(invite(db(), actor, ws!.id, "reader@example.com", "viewer")).resolves.toMatchObject({ role: "viewer" });
  });

  it("an invitation raises a member's role but never lowers it, and the last owner stays", async () => {
    const [ws] = await db().insert(workspaces).values({ name: "Invitations" }).returning();
    const owner = await userIn(ws!.id, "owner", "inv-owner@example.com");
    const member = await userIn(ws!.id, "editor", "inv-member@example.com");
    const lower = await invite(db(), owner, ws!.id, member.email, "viewer");
    await expect(acceptInvitation(db(), lower.link.split("/").pop()!, { principal: member })).resolves.toMatchObject({ role: "editor" });
    const higher = await invite(db(), owner, ws!.id, member.email, "owner");
    await expect(acceptInvitation(db(), higher.link.split("/").pop()!, { principal: member })).resolves.toMatchObject({ role: "owner" });
    // Two owners demoting each other at once: one of them stays owner.
    const results = await Promise.allSettled([setRole(db(), owner, ws!.id, member.userId, "viewer"), setRole(db(), member, ws!.id, owner.userId, "viewer")]);
    const owners = await db().select().from(memberships).where(eq(memberships.workspaceId, ws!.id));
    expect(owners.filter((m) => m.role === "owner")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
  });
});

describe("secrets", () => {
  it("are sealed at rest, listed by name only, and read back in clear only by the worker's reader", async () => {
    const [ws] = await db().insert(workspaces).values({ name: "Secrets" }).returning();
    const owner = await userIn(ws!.id, "owner", "secret-owner@example.com");
    const value = "postgres://u:at-rest-canary-91@db.example/x";
    expect(await setSecret(db(), owner, ws!.id, "WAREHOUSE", "first value")).toEqual({ name: "WAREHOUSE", created: true });
    // Saving the same name twice at once replaces it, never fails.
    const twice = await Promise.all([setSecret(db(), owner, ws!.id, "WAREHOUSE", value), setSecret(db(), owner, ws!.id, "WAREHOUSE", value)]);
    expect(twice.map((r) => r.created)).toEqual([false, false]);
    const [row] = await db().select().from(secrets).where(eq(secrets.workspaceId, ws!.id));
    expect(Buffer.from(row!.sealed).toString("latin1")).not.toContain("at-rest-canary-91");
    expect(await listSecrets(db(), ws!.id)).toEqual([{ name: "WAREHOUSE", createdAt: expect.any(Date), updatedAt: expect.any(Date) }]);
    expect(await readSecret(db(), ws!.id, "WAREHOUSE")).toBe(value);
    // Another workspace cannot read it by name.
    const [other] = await db().insert(workspaces).values({ name: "Secrets other" }).returning();
    expect(await refusal(readSecret(db(), other!.id, "WAREHOUSE"))).toBe("UserError: secret 'WAREHOUSE' does not exist in this workspace");
    // The sealed bytes are bound to their workspace and name: copied to another row, they do not open.
    await db().insert(secrets).values({ workspaceId: other!.id, name: "WAREHOUSE", sealed: row!.sealed });
    expect(await refusal(readSecret(db(), other!.id, "WAREHOUSE"))).toBe(
      "UserError: secret 'WAREHOUSE' cannot be decrypted with this installation's key (was MILLRACE_SECRET_KEY or .data/secret-key changed?); set the secret again",
    );
  });
});
