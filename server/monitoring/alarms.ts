/**
 * Judging drift and raising alarms. Every MONITOR_EVAL_MS the web process computes, for each
 * monitored endpoint, the drift of its model version over the monitor's window (from the
 * per-minute counts), sets the drift gauges, and opens an alarm for each feature (or the
 * predictions) past its bound — at most one open per endpoint, version and subject, however many
 * processes judge at once (a partial unique index) — or resolves it when it is back within bounds.
 * Opening and resolving start the webhook's delivery as a Temporal workflow (one per alarm and
 * event: a second start is refused by its id).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, monitorAlarms, retrainings } from "~/db/schema";
import { env } from "~/lib/env";
import { messageOf } from "~/lib/errors";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { temporalClient } from "~/workflows/temporal/client";
import type * as workflows from "~/workflows/temporal/webhook-workflow";
import type * as retrain from "~/workflows/temporal/retrain-workflow";
import { RETRAIN_WORKFLOW, taskQueueOf, WEBHOOK_WORKFLOW, workflowIdForRetraining, workflowIdForWebhook, type WebhookInput } from "~/workflows/temporal/shared";
import { metrics } from "../metrics/registry";
import { liveScores } from "~/workflows/monitoring/live-scores";
import { currentDrift, windowOf, type FeatureDrift } from "./service";

/** Starts a workflow once: a start under an id already running (another process, an earlier tick) is a no-op. */
async function startOnce(start: (client: Awaited<ReturnType<typeof temporalClient>>) => Promise<unknown>) {
  try {
    await start(await temporalClient());
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
}

const sendWebhook = (input: WebhookInput) =>
  startOnce((c) =>
    c.workflow.start<typeof workflows.deliverWebhook>(WEBHOOK_WORKFLOW, {
      args: [input],
      taskQueue: taskQueueOf(env()),
      workflowId: workflowIdForWebhook("alarmId" in input ? input.alarmId : input.retrainingId, input.event),
    }),
  );

/** The alarm's retraining loop; one at a time per endpoint. */
const startRetraining = (endpointId: string, alarmId: string) =>
  startOnce((c) =>
    c.workflow.start<typeof retrain.retrainOnAlarm>(RETRAIN_WORKFLOW, { args: [{ endpointId, alarmId }], taskQueue: taskQueueOf(env()), workflowId: workflowIdForRetraining(endpointId) }),
  );

/** Live scores are recomputed every ten judgements, at most every 5 minutes. */
const scoresEvery = () => Math.min(5 * 60_000, 10 * env().MONITOR_EVAL_MS);
const scoreCache = new Map<string, { at: number; scores: Awaited<ReturnType<typeof liveScores>> }>();

const windowText = (w: ReturnType<typeof windowOf>) => ("minutes" in w ? `${w.minutes} min` : `${w.requests} rows`);

/** Judges every monitored endpoint once; returns the alarms opened and resolved. */
export async function evaluateAlarms(db: Db, artifacts: ArtifactStore, now = new Date()) {
  const opened: string[] = [];
  const resolved: string[] = [];
  const rows = await db
    .select({ id: endpoints.id, slug: endpoints.slug, workspaceId: endpoints.workspaceId, modelVersionId: endpoints.modelVersionId, monitor: endpoints.monitor, version: modelVersions.version, task: modelVersions.task })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .where(eq(endpoints.monitored, true));
  const m = metrics();
  // Gauges hold what this judgement found: versions no longer served, or windows too small to
  // judge, drop out instead of repeating their last value.
  for (const g of [m.driftPsi, m.driftJs, m.windowRows, m.liveAccuracy, m.liveRmse, m.liveLabelled]) g.reset();
  // Alarms of a version the endpoint no longer serves (promoted over, rolled back) are closed.
  await db.execute(sql`
    update monitor_alarm a set resolved_at = ${now.toISOString()}::timestamptz
      from endpoint e
     where a.endpoint_id = e.id and a.resolved_at is null and a.model_version_id <> e.model_version_id`);
  for (const e of rows) {
    try {
      await judge(e);
    } catch (err) {
      // One endpoint that cannot be judged (an unreadable model file) does not stop the others.
      console.error(`[monitor] ${e.slug}: ${messageOf(err)}`);
    }
  }
  return { opened, resolved };

  async function judge(e: (typeof rows)[number]) {
    // Live accuracy (or RMSE) from the last day's feedback, per version and role: a join over the
    // day's prediction log, so computed at most every 5 minutes per endpoint and reused between.
    let scored = scoreCache.get(e.id);
    if (!scored || now.getTime() - scored.at > scoresEvery()) {
      scored = { at: now.getTime(), scores: await liveScores(db, e.id, e.task, new Date(now.getTime() - 86_400_000)) };
      scoreCache.set(e.id, scored);
    }
    for (const s of scored.scores) {
      const labels = { endpoint: e.slug, model_version: String(s.version), role: s.shadow ? "shadow" : "live" };
      m.liveLabelled.set(labels, s.labelled);
      if ("accuracy" in s && s.accuracy !== undefined) m.liveAccuracy.set(labels, s.accuracy);
      if ("rmse" in s && s.rmse !== undefined) m.liveRmse.set(labels, s.rmse);
    }
    const drift = await currentDrift(db, artifacts, e, now);
    if (!drift) return;
    const { report, settings } = drift;
    const version = String(e.version);
    m.windowRows.set({ endpoint: e.slug, model_version: version }, report.rows);
    if (!report.enough) return;
    const subjects: FeatureDrift[] = [...report.features, ...(report.prediction ? [report.prediction] : [])];
    const open = await db
      .select({ id: monitorAlarms.id, subject: monitorAlarms.subject, webhook: monitorAlarms.webhook, openedAt: monitorAlarms.openedAt })
      .from(monitorAlarms)
      .where(and(eq(monitorAlarms.endpointId, e.id), eq(monitorAlarms.modelVersionId, e.modelVersionId), isNull(monitorAlarms.resolvedAt)));
    // What an earlier tick could not start (Temporal was away): the webhook of an alarm not sent
    // yet, the retraining of an alarm without one. Starting twice is refused by the workflow id.
    for (const a of open.filter((x) => now.getTime() - x.openedAt.getTime() > 60_000)) {
      if (settings.webhookUrl && a.webhook === null) await sendWebhook({ alarmId: a.id, event: "opened" }).catch(() => {});
      if (settings.onAlarm === "retrain") {
        const [loop] = await db.select({ id: retrainings.id }).from(retrainings).where(eq(retrainings.alarmId, a.id));
        if (!loop) await startRetraining(e.id, a.id).catch(() => {});
      }
    }
    for (const f of subjects) {
      m.driftPsi.set({ endpoint: e.slug, model_version: version, feature: f.name }, f.psi);
      m.driftJs.set({ endpoint: e.slug, model_version: version, feature: f.name }, f.js);
      const current = open.find((a) => a.subject === f.name);
      if (f.level === "alarm" && !current) {
        const [row] = await db
          .insert(monitorAlarms)
          .values({
            workspaceId: e.workspaceId,
            endpointId: e.id,
            modelVersionId: e.modelVersionId,
            subject: f.name,
            psi: f.psi,
            js: f.js,
            evidence: { psiAlarm: f.psiAlarm, jsAlarm: settings.jsAlarm, window: windowText(windowOf(settings)), rows: report.rows, reference: f.reference, current: f.current, labels: f.labels },
            openedAt: now,
            webhook: settings.webhookUrl ? null : { status: "none" },
          })
          .onConflictDoNothing()
          .returning({ id: monitorAlarms.id });
        if (!row) continue; // another process opened it
        opened.push(row.id);
        if (settings.webhookUrl) await sendWebhook({ alarmId: row.id, event: "opened" }).catch((err: unknown) => console.error(`[monitor] webhook for ${e.slug}: ${messageOf(err)}`));
        if (settings.onAlarm === "retrain") await startRetraining(e.id, row.id).catch((err: unknown) => console.error(`[monitor] retraining for ${e.slug}: ${messageOf(err)}`));
      } else if (f.level !== "alarm" && current) {
        // Only the process that resolves it announces it.
        const [done] = await db.update(monitorAlarms).set({ resolvedAt: now }).where(and(eq(monitorAlarms.id, current.id), isNull(monitorAlarms.resolvedAt))).returning({ id: monitorAlarms.id });
        if (!done) continue;
        resolved.push(current.id);
        if (settings.webhookUrl) await sendWebhook({ alarmId: current.id, event: "resolved" }).catch((err: unknown) => console.error(`[monitor] webhook for ${e.slug}: ${messageOf(err)}`));
      }
    }
  }
}
