/**
 * A/B guardrails: a live variant whose score from feedback is confidently worse than its bound
 * is stopped — it becomes a shadow (still scored on copies, answering no one) in a new revision,
 * and the decision goes into the audit log with its evidence. The last variant answering callers
 * is never stopped; its breach is recorded instead.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "~/db/client";
import { auditEvents, deployments, endpoints, modelVersions, type TrafficVariant } from "~/db/schema";
import { recordAudit } from "~/workflows/audit";
import { publishRevision } from "~/workflows/endpoints/revisions";
import { liveScores, type LiveScore } from "../serving/feedback";

const DEFAULT_MIN_LABELLED = 50;

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

/** Checks every endpoint whose split has guardrails; returns the decisions taken. */
export async function checkGuardrails(db: Db): Promise<{ slug: string; version: number; action: "stopped" | "alarm"; reason: string }[]> {
  const guarded = (await db.select().from(endpoints).where(isNotNull(endpoints.traffic))).filter((e) => e.traffic!.some((t) => t.guardrail && !t.shadow && t.weight > 0));
  const decisions: Awaited<ReturnType<typeof checkGuardrails>> = [];
  for (const e of guarded) {
    const [live] = await db.select({ createdAt: deployments.createdAt }).from(deployments).where(and(eq(deployments.endpointId, e.id), eq(deployments.revision, e.revision)));
    const [mv] = await db.select({ task: modelVersions.task }).from(modelVersions).where(eq(modelVersions.id, e.modelVersionId));
    // Scores since this split went live: an earlier split's traffic says nothing about this one.
    const scores = (await liveScores(db, e.id, mv!.task, live?.createdAt)).filter((s) => !s.shadow);
    const traffic = e.traffic!;
    for (const v of traffic.filter((t) => t.guardrail && !t.shadow && t.weight > 0)) {
      const reason = breach(v.guardrail!, scores.find((s) => s.modelVersionId === v.modelVersionId));
      if (!reason) continue;
      const version = scores.find((s) => s.modelVersionId === v.modelVersionId)!.version;
      const others = traffic.filter((t) => t !== v && !t.shadow && t.weight > 0);
      if (!others.length) {
        // The only variant answering: recorded once per revision, never stopped.
        const [seen] = await db
          .select({ id: auditEvents.id })
          .from(auditEvents)
          .where(and(eq(auditEvents.action, "guardrail.alarm"), eq(auditEvents.target, `${e.slug}#${e.revision}`)))
          .orderBy(desc(auditEvents.createdAt))
          .limit(1);
        if (!seen) await recordAudit(db, { action: "guardrail.alarm", workspaceId: e.workspaceId, target: `${e.slug}#${e.revision}`, details: { version, reason } });
        decisions.push({ slug: e.slug, version, action: "alarm", reason });
        continue;
      }
      const total = others.reduce((s, t) => s + t.weight, 0);
      const next: TrafficVariant[] = traffic.map((t) => (t === v ? { ...t, weight: 0, shadow: true } : t.shadow || t.weight === 0 ? t : { ...t, weight: t.weight / total }));
      const primary = [...others].sort((a, b) => b.weight - a.weight)[0]!;
      const revision = await db.transaction(async (tx) => {
        const [current] = await tx.select({ revision: endpoints.revision }).from(endpoints).where(eq(endpoints.id, e.id)).for("update");
        if (current?.revision !== e.revision) return null; // changed meanwhile: the next check sees the new split
        return publishRevision(tx, { endpointId: e.id, modelVersionId: primary.modelVersionId, traffic: next, kind: "guardrail" });
      });
      if (revision === null) continue;
      await recordAudit(db, { action: "guardrail.stop", workspaceId: e.workspaceId, target: e.slug, details: { version, reason, revision } });
      decisions.push({ slug: e.slug, version, action: "stopped", reason });
      break; // one change per endpoint per check
    }
  }
  return decisions;
}
