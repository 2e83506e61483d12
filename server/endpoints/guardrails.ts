/**
 * A/B guardrails: a live variant confidently worse than its bound — its score from feedback, or
 * its error rate or latency on its own traffic — is stopped — it becomes a shadow (still scored on copies, answering no one) in a new revision,
 * and the decision goes into the audit log with its evidence. The last variant answering callers
 * is never stopped; its breach is recorded instead.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "~/db/client";
import { auditEvents, deployments, endpoints, modelVersions, type TrafficVariant } from "~/db/schema";
import { recordAudit } from "~/workflows/audit";
import { publishRevision } from "~/workflows/endpoints/revisions";
import { liveScores, wilson, type LiveScore } from "~/workflows/monitoring/live-scores";

const DEFAULT_MIN_LABELLED = 50;
const DEFAULT_MIN_REQUESTS = 100;

/** Why a variant breaches its guardrail, or null. */
function breach(g: NonNullable<TrafficVariant["guardrail"]>, score: LiveScore | undefined): string | null {
  const need = g.minLabelled ?? DEFAULT_MIN_LABELLED;
  if (!score || score.labelled < need) return null;
  if (g.minAccuracy !== undefined && score.high !== undefined && score.high < g.minAccuracy) {
    return `accuracy ${score.accuracy!.toFixed(3)} (95% interval ${score.low!.toFixed(3)}–${score.high.toFixed(3)}, ${score.labelled} labelled) is below ${g.minAccuracy}`;
  }
  if (g.maxRmse !== undefined && score.rmse !== undefined && score.rmse > g.maxRmse) return `RMSE ${score.rmse.toFixed(4)} (${score.labelled} labelled) is above ${g.maxRmse}`;
  return null;
}

type Decision = { slug: string; version: number; action: "stopped" | "alarm"; reason: string };
type EndpointRow = typeof endpoints.$inferSelect;

/**
 * Stops variant `v` of endpoint `e` (as it was at revision `e.revision`) for `reason`: it becomes
 * a shadow and the other live variants share its traffic, in a new revision. The only variant
 * answering is never stopped: its breach is recorded once per revision instead. Null when the
 * endpoint changed meanwhile (the next check sees the new split).
 */
export async function stopVariant(db: Db, e: EndpointRow, v: TrafficVariant, version: number, reason: string): Promise<Decision | null> {
  const traffic = e.traffic!;
  const others = traffic.filter((t) => t.modelVersionId !== v.modelVersionId && !t.shadow && t.weight > 0);
  if (!others.length) {
    const [seen] = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "guardrail.alarm"), eq(auditEvents.target, `${e.slug}#${e.revision}`)))
      .orderBy(desc(auditEvents.createdAt))
      .limit(1);
    if (!seen) await recordAudit(db, { action: "guardrail.alarm", workspaceId: e.workspaceId, target: `${e.slug}#${e.revision}`, details: { version, reason } });
    return { slug: e.slug, version, action: "alarm", reason };
  }
  const total = others.reduce((s, t) => s + t.weight, 0);
  const next: TrafficVariant[] = traffic.map((t) => (t.modelVersionId === v.modelVersionId ? { ...t, weight: 0, shadow: true } : t.shadow || t.weight === 0 ? t : { ...t, weight: t.weight / total }));
  const primary = [...others].sort((a, b) => b.weight - a.weight)[0]!;
  const revision = await db.transaction(async (tx) => {
    const [current] = await tx.select({ revision: endpoints.revision }).from(endpoints).where(eq(endpoints.id, e.id)).for("update");
    if (current?.revision !== e.revision) return null;
    return publishRevision(tx, { endpointId: e.id, modelVersionId: primary.modelVersionId, traffic: next, kind: "guardrail" });
  });
  if (revision === null) return null;
  await recordAudit(db, { action: "guardrail.stop", workspaceId: e.workspaceId, target: e.slug, details: { version, reason, revision } });
  return { slug: e.slug, version, action: "stopped", reason };
}

/** Checks every endpoint whose split has guardrails on feedback; returns the decisions taken. */
export async function checkGuardrails(db: Db): Promise<Decision[]> {
  const guarded = (await db.select().from(endpoints).where(isNotNull(endpoints.traffic))).filter((e) => e.traffic!.some((t) => t.guardrail && !t.shadow && t.weight > 0));
  const decisions: Decision[] = [];
  for (const e of guarded) {
    const [live] = await db.select({ createdAt: deployments.createdAt }).from(deployments).where(and(eq(deployments.endpointId, e.id), eq(deployments.revision, e.revision)));
    const [mv] = await db.select({ task: modelVersions.task }).from(modelVersions).where(eq(modelVersions.id, e.modelVersionId));
    // Scores since this split went live: an earlier split's traffic says nothing about this one.
    const scores = (await liveScores(db, e.id, mv!.task, live?.createdAt)).filter((s) => !s.shadow);
    for (const v of e.traffic!.filter((t) => t.guardrail && !t.shadow && t.weight > 0)) {
      const reason = breach(v.guardrail!, scores.find((s) => s.modelVersionId === v.modelVersionId));
      if (!reason) continue;
      const decision = await stopVariant(db, e, v, scores.find((s) => s.modelVersionId === v.modelVersionId)!.version, reason);
      if (decision) decisions.push(decision);
      if (decision?.action === "stopped") break; // one change per endpoint per check
    }
  }
  return decisions;
}

/**
 * Why a variant breaches its guardrail on its own traffic (as one serving process saw it since
 * the split went live), or null: the Wilson 95% interval of its error rate entirely above
 * `maxErrorRate`, or the p99 of its latency above `maxP99Ms`, over `minRequests` requests or more.
 */
export function trafficBreach(g: NonNullable<TrafficVariant["guardrail"]>, stats: { requests: number; errors: number; p99Ms: number | null }): string | null {
  if (stats.requests < (g.minRequests ?? DEFAULT_MIN_REQUESTS)) return null;
  if (g.maxErrorRate !== undefined) {
    const { low, high } = wilson(stats.errors, stats.requests);
    if (low > g.maxErrorRate) return `error rate ${(stats.errors / stats.requests).toFixed(3)} (95% interval ${low.toFixed(3)}–${high.toFixed(3)}, ${stats.requests} requests) is above ${g.maxErrorRate}`;
  }
  if (g.maxP99Ms !== undefined && stats.p99Ms !== null && stats.p99Ms > g.maxP99Ms) return `p99 latency ${stats.p99Ms.toFixed(1)} ms (${stats.requests} requests) is above ${g.maxP99Ms} ms`;
  return null;
}
