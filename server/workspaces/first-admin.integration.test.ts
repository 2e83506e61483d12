/** The first start's administrator and token, as `npm start` makes them on an empty database. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, memberships, users } from "~/db/schema";
import { authorize } from "../auth/guard";
import { principalFrom } from "../auth/principal";
import { ensureFirstAdmin } from "./first-admin";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-first-admin-"));
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

describe("first start", () => {
  it("creates one administrator, owner of Default, with a password and a token in mode-600 files, and only once", async () => {
    // Other suites may have made users in this database: start from none, as a fresh install does.
    await db().delete(users);
    const admin = await ensureFirstAdmin(db(), { email: "Admin@Example.com", dataDir: dir });
    expect(admin).toEqual({ email: "admin@example.com", passwordFile: path.join(dir, "admin-password"), tokenFile: path.join(dir, "admin-token") });
    for (const file of [admin!.passwordFile!, admin!.tokenFile]) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(admin!.passwordFile!, "utf8").trim()).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const [row] = await db().select().from(users).where(eq(users.email, "admin@example.com"));
    expect(row!.isAdmin).toBe(true);
    expect(await db().select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, row!.id))).toEqual([{ role: "owner" }]);

    const token = fs.readFileSync(admin!.tokenFile, "utf8").trim();
    const principal = await principalFrom(db(), new Headers({ authorization: `Bearer ${token}` }));
    await expect(authorize(db(), principal, "manage", { kind: "active", requested: null })).resolves.toMatchObject({ workspaceId: DEFAULT_WORKSPACE_ID });

    expect(await ensureFirstAdmin(db(), { email: "admin@example.com", dataDir: dir })).toBeNull();
    // MILLRACE_ADMIN_PASSWORD given: no password file.
    await db().delete(users);
    const given = await ensureFirstAdmin(db(), { email: "admin@example.com", password: "given-password-123", dataDir: dir });
    expect(given?.passwordFile).toBeNull();
  });
});
