/**
 * A user's signed-in sessions: listed without their tokens, revoked one by one or all but the
 * current one. Better Auth checks every request against the session table, so a deleted row
 * signs that browser out on its next request.
 */
import { and, desc, eq, gt, ne } from "drizzle-orm";
import type { Db } from "~/db/client";
import { sessions } from "~/db/schema";
import { NotFoundError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";

export async function listSessions(db: Db, userId: string, currentId: string | undefined) {
  const rows = await db
    .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, ipAddress: sessions.ipAddress, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.createdAt));
  return rows.map((r) => ({ ...r, current: r.id === currentId }));
}

export async function revokeSession(db: Db, userId: string, id: string) {
  const gone = await db.delete(sessions).where(and(eq(sessions.id, id), eq(sessions.userId, userId))).returning({ id: sessions.id });
  if (!gone.length) throw new NotFoundError(`session ${id} not found`);
  await recordAudit(db, { action: "session.revoke", actorUserId: userId, target: id });
}

export async function revokeOtherSessions(db: Db, userId: string, currentId: string | undefined) {
  const gone = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), currentId ? ne(sessions.id, currentId) : undefined))
    .returning({ id: sessions.id });
  await recordAudit(db, { action: "session.revoke-others", actorUserId: userId, details: { count: gone.length } });
  return { revoked: gone.length };
}
