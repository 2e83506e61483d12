/**
 * Passwords an administrator resets from the machine (`npm run admin -- reset-password <email>`):
 * Millrace sends no mail, so a forgotten password comes back this way. The user's sessions end.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { accounts, sessions, users } from "~/db/schema";
import { NotFoundError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { hashPassword } from "../auth/better-auth";

export async function resetPassword(db: Db, email: string): Promise<string> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!user) throw new NotFoundError(`no account for ${email}`);
  const password = randomBytes(18).toString("base64url");
  const hash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(accounts)
      .set({ password: hash, updatedAt: new Date() })
      .where(and(eq(accounts.userId, user.id), eq(accounts.providerId, "credential")))
      .returning({ id: accounts.id });
    // A user who only ever signed in with OIDC gets a password sign-in too.
    if (!updated.length) await tx.insert(accounts).values({ id: randomUUID(), accountId: user.id, providerId: "credential", userId: user.id, password: hash });
    await tx.delete(sessions).where(eq(sessions.userId, user.id));
  });
  await recordAudit(db, { action: "user.password-reset", target: email, details: { by: "administrator on the machine" } });
  return password;
}
