/**
 * The audit log: who did what, when, from where. Written by the web side (sign-ins, members,
 * tokens, secrets) and the worker (deploys); read on the workspace's audit page.
 */
import { and, desc, eq, gte, ilike, inArray, isNull, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "~/db/client";
import { auditEvents, memberships, users } from "~/db/schema";

export interface AuditEntry {
  action: string;
  workspaceId?: string | null;
  actorUserId?: string | null;
  actorTokenId?: string | null;
  target?: string | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export async function recordAudit(db: Db, entry: AuditEntry) {
  await db.insert(auditEvents).values({
    action: entry.action,
    workspaceId: entry.workspaceId ?? null,
    actorUserId: entry.actorUserId ?? null,
    actorTokenId: entry.actorTokenId ?? null,
    target: entry.target ?? null,
    details: entry.details ?? null,
    ip: entry.ip ?? null,
  });
}

/**
 * A workspace's audit log, newest first. Events that belong to no workspace (sign-ins, sessions,
 * passwords, the first start) are shown to instance administrators only: joining a workspace
 * does not show its owners where else you have been. `action` matches a prefix ("token." for all
 * token events), `actor` a part of the actor's email.
 */
export async function listAudit(
  db: Db,
  workspaceId: string,
  filter: { action?: string; actor?: string; since?: Date; until?: Date; limit?: number } = {},
  opts: { instanceEvents?: boolean } = {},
) {
  const members = db.select({ id: memberships.userId }).from(memberships).where(eq(memberships.workspaceId, workspaceId));
  const scope = opts.instanceEvents ? or(eq(auditEvents.workspaceId, workspaceId), and(isNull(auditEvents.workspaceId), or(isNull(auditEvents.actorUserId), inArray(auditEvents.actorUserId, members)))) : eq(auditEvents.workspaceId, workspaceId);
  const where: SQL[] = [scope!];
  const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
  if (filter.action) where.push(ilike(auditEvents.action, `${literal(filter.action)}%`));
  if (filter.actor) where.push(ilike(users.email, `%${literal(filter.actor)}%`));
  if (filter.since) where.push(gte(auditEvents.createdAt, filter.since));
  if (filter.until) where.push(lte(auditEvents.createdAt, filter.until));
  return db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      target: auditEvents.target,
      details: auditEvents.details,
      ip: auditEvents.ip,
      createdAt: auditEvents.createdAt,
      actorTokenId: auditEvents.actorTokenId,
      actor: users.email,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(and(...where))
    .orderBy(desc(auditEvents.createdAt))
    .limit(Math.min(filter.limit ?? 200, 1000));
}
