/**
 * The first start: on a database without users, Millrace creates an administrator (owner of the
 * Default workspace) and one personal API token with every scope, so the browser and scripts on
 * this machine can both get in at once. The token goes to `.data/admin-token` and, when no
 * MILLRACE_ADMIN_PASSWORD was given, a generated password to `.data/admin-password` (both mode 600).
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { count } from "drizzle-orm";
import type { Db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, memberships, users } from "~/db/schema";
import { ConflictError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { scopes } from "../auth/policy";
import { createToken, createUserWithPassword } from "./service";

const ADMIN_TOKEN_FILE = "admin-token";
export const ADMIN_PASSWORD_FILE = "admin-password";

function writePrivate(file: string, text: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${text}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export interface FirstAdmin {
  email: string;
  /** Where the generated password was written, or null when MILLRACE_ADMIN_PASSWORD gave it. */
  passwordFile: string | null;
  tokenFile: string;
}

/** Creates the administrator and its token if the database has no users yet; null if it has some. */
export async function ensureFirstAdmin(db: Db, opts: { email: string; password?: string; dataDir: string }): Promise<FirstAdmin | null> {
  const [{ n }] = (await db.select({ n: count() }).from(users)) as [{ n: number }];
  if (n > 0) return null;
  const password = opts.password ?? randomBytes(18).toString("base64url");
  const passwordFile = opts.password ? null : path.join(opts.dataDir, ADMIN_PASSWORD_FILE);
  // The password is on disk before the account exists: a crash in between loses nothing.
  if (passwordFile) writePrivate(passwordFile, password);
  let user: { id: string; email: string };
  try {
    user = await createUserWithPassword(db, { email: opts.email, name: "Administrator", password, isAdmin: true, emailVerified: true });
  } catch (e) {
    if (e instanceof ConflictError) return null; // another launcher on the same database got there first
    throw e;
  }
  await db.insert(memberships).values({ workspaceId: DEFAULT_WORKSPACE_ID, userId: user.id, role: "owner" }).onConflictDoNothing();
  await recordAudit(db, { action: "user.create", workspaceId: DEFAULT_WORKSPACE_ID, actorUserId: null, target: user.email, details: { admin: true, firstStart: true } });
  const actor = { kind: "user" as const, userId: user.id, email: user.email, name: "Administrator", isAdmin: true };
  const { token } = await createToken(db, actor, { kind: "personal", name: "first-start admin token", scopes: [...scopes] });
  const tokenFile = path.join(opts.dataDir, ADMIN_TOKEN_FILE);
  writePrivate(tokenFile, token);
  return { email: user.email, passwordFile, tokenFile };
}
