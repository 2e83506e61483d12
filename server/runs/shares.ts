/**
 * Share links: one run shown to anyone holding the link, without an account, as a redacted
 * report. What the link shows is built here from an allow-list — the pipeline's shape (node
 * types and wiring, no configs), statuses, attempts, timings, metrics and charts — so that a field
 * added to a run later is private until it is added here. Not shown: node configs (data sources,
 * expressions, queries), errors (they can quote data or configs), endpoints, ids of datasets,
 * pipelines and the run.
 */
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Db } from "~/db/client";
import { runShares } from "~/db/schema";
import { newToken, sha256 } from "~/lib/crypto";
import { env } from "~/lib/env";
import { NotFoundError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { auditActor, type Actor } from "../auth/policy";
import { getRun } from "./service";

const DAY_MS = 86_400_000;

export async function createShare(db: Db, actor: Actor, workspaceId: string, runId: string, opts: { expiresInDays?: number | null } = {}) {
  const { token, hash, prefix } = newToken("mrs");
  const expiresAt = opts.expiresInDays ? new Date(Date.now() + opts.expiresInDays * DAY_MS) : null;
  const [row] = await db.insert(runShares).values({ runId, workspaceId, tokenHash: hash, prefix, createdBy: actor.userId, expiresAt }).returning();
  await recordAudit(db, { action: "run.share", workspaceId, ...auditActor(actor), target: runId, details: { share: row!.id, expiresAt } });
  return { id: row!.id, url: `${env().publicUrl}/share/${token}`, expiresAt };
}

/** A run's links (without their tokens, which are shown only when made), newest first. */
export async function listShares(db: Db, runId: string) {
  const rows = await db.select().from(runShares).where(eq(runShares.runId, runId)).orderBy(desc(runShares.createdAt));
  const now = Date.now();
  return rows.map((r) => ({
    id: r.id,
    prefix: r.prefix,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    active: !r.revokedAt && (!r.expiresAt || r.expiresAt.getTime() > now),
  }));
}

export async function revokeShare(db: Db, actor: Actor, workspaceId: string, runId: string, id: string) {
  const [row] = await db
    .update(runShares)
    .set({ revokedAt: new Date() })
    .where(and(eq(runShares.id, id), eq(runShares.runId, runId), isNull(runShares.revokedAt)))
    .returning();
  if (!row) throw new NotFoundError(`run ${runId} has no active share link ${id}`);
  await recordAudit(db, { action: "run.share.revoke", workspaceId, ...auditActor(actor), target: runId, details: { share: id } });
  return { revoked: id };
}

/** What a share link shows of its run; "not found" for a link that is revoked, expired or was never issued. */
export async function sharedRun(db: Db, token: string) {
  const [share] = token.startsWith("mrs_")
    ? await db
        .select()
        .from(runShares)
        .where(and(eq(runShares.tokenHash, sha256(token)), isNull(runShares.revokedAt), or(isNull(runShares.expiresAt), gt(runShares.expiresAt, new Date()))))
    : [];
  if (!share) throw new NotFoundError("this link does not show anything: it was revoked, it expired, or it was never issued");
  const run = await getRun(db, share.runId);
  return {
    pipelineName: run.pipelineName,
    pipelineVersion: run.pipelineVersion,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    metrics: run.metrics,
    graph: {
      nodes: run.graph.nodes.map((n) => ({ id: n.id, type: n.type, position: n.position })),
      edges: run.graph.edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle })),
    },
    nodes: run.nodes.map((n) => ({
      nodeId: n.nodeId,
      type: n.type,
      status: n.status,
      attempt: n.attempt,
      panels: n.panels,
      progress: n.progress,
      workMs: n.workMs,
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
    })),
    expiresAt: share.expiresAt,
  };
}
