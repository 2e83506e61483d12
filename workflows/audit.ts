/**
 * The audit log: who did what, when, from where. Written by the web side (sign-ins, members,
 * tokens, secrets) and the worker (deploys); read on the workspace's audit page.
 */
import { and, desc, eq, gte, ilike, lte, type SQL } from "drizzle-orm";
import type { Db } from "~/db/client";
import { auditEvents, users } from "~/db/schema";


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

export async function listAudit(db: Db, workspaceId: string, filter: { action?: string; since?: Date; until?: Date; limit?: number } = {}) {
  const where: SQL[] = [eq(auditEvents.workspaceId, workspaceId)];
  if (filter.action) where.push(ilike(auditEvents.action, `${filter.action.replace(/[%_]/g, "")}%`));
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
