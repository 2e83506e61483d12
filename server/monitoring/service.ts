/**
 * An endpoint's monitoring: traffic, latency and failures over time, drift per feature and for
 * predictions (current window against the model's reference profile), per model version and role.
 * Everything is read from the per-minute counts (`monitor_counts`) and the model files' profiles —
 * never from the prediction log — so a window of ten million requests costs a few hundred rows.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, monitorAlarms, retrainings } from "~/db/schema";
import { InvalidError, NotFoundError } from "~/lib/errors";
import { addCounts, emptyCounts, latencyQuantile, monitorSettings, type MonitorSettings, type WindowCounts } from "~/lib/monitoring";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { driftLevel, jensenShannon, psi, type DriftLevel } from "~/workflows/model/drift";
import { readModelMeta } from "~/workflows/model/model-file";
import { binLabels, type FeatureProfile, type ReferenceProfile } from "~/workflows/model/profile";
import { wilson } from "~/workflows/monitoring/live-scores";
import { countsBetween, windowCounts, type WindowSpec } from "./counts";

const profiles = new Map<string, ReferenceProfile | null>();

/** A model version's reference profile (read from its file once per process); null for models trained before profiles. */
async function profileOf(db: Db, artifacts: ArtifactStore, modelVersionId: string): Promise<ReferenceProfile | null> {
  if (profiles.has(modelVersionId)) return profiles.get(modelVersionId)!;
  const [v] = await db.select({ uri: modelVersions.artifactUri }).from(modelVersions).where(eq(modelVersions.id, modelVersionId));
  if (!v) return null;
  const profile = readModelMeta(await artifacts.getBytes(v.uri)).profile ?? null;
  if (profiles.size > 500) profiles.clear();
  profiles.set(modelVersionId, profile);
  return profile;
}

export interface FeatureDrift {
  name: string;
  psi: number;
  js: number;
  level: DriftLevel;
  /** The PSI alarm bound used for it (its override, else the endpoint's). */
  psiAlarm: number;
  labels: string[];
  reference: number[];
  current: number[];
}

function driftOf(ref: FeatureProfile, current: number[] | undefined, s: MonitorSettings): FeatureDrift {
  const cur = current && current.length === ref.counts.length ? current : new Array<number>(ref.counts.length).fill(0);
  const v = { psi: psi(ref.counts, cur), js: jensenShannon(ref.counts, cur) };
  const psiAlarm = s.featureAlarms[ref.name] ?? s.psiAlarm;
  return { name: ref.name, ...v, level: driftLevel(v, { psiWarn: Math.min(s.psiWarn, psiAlarm), psiAlarm, jsAlarm: s.jsAlarm }), psiAlarm, labels: binLabels(ref), reference: ref.counts, current: cur };
}

/** Drift of a window's counts against a profile: every feature (worst first) and the predictions; null below `minRows`. */
export function driftReport(profile: ReferenceProfile, counts: WindowCounts, s: MonitorSettings) {
  if (counts.rows < s.minRows) return { rows: counts.rows, enough: false as const, features: [], prediction: null };
  const features = profile.features.map((f) => driftOf(f, counts.features[f.name], s)).sort((a, b) => b.psi - a.psi);
  return { rows: counts.rows, enough: true as const, features, prediction: driftOf(profile.prediction, counts.prediction, { ...s, featureAlarms: {} }) };
}

/** The endpoint's monitor settings (defaults when no monitor node set them). */

export const windowOf = (s: MonitorSettings): WindowSpec => (s.windowRequests > 0 ? { requests: s.windowRequests } : { minutes: s.windowMinutes });

async function endpointIn(db: Db, workspaceId: string, slug: string) {
  const [e] = await db.select().from(endpoints).where(and(eq(endpoints.workspaceId, workspaceId), eq(endpoints.slug, slug)));
  if (!e) throw new NotFoundError(`endpoint '${slug}' not found`);
  return e;
}

/**
 * The monitoring page's data for a time range: per model version and role, a series per minute
 * (requests, failures, latency p50/p95/p99) and the drift of the whole range against the reference.
 */
export async function endpointMonitoring(db: Db, artifacts: ArtifactStore, workspaceId: string, slug: string, range: { from: Date; to: Date }) {
  const e = await endpointIn(db, workspaceId, slug);
  const settings = monitorSettings(e.monitor);
  const [rows, alarms, loops] = await Promise.all([
    countsBetween(db, e.id, range.from, range.to),
    alarmsOf(db, e.id),
    db.select().from(retrainings).where(eq(retrainings.endpointId, e.id)).orderBy(desc(retrainings.startedAt)).limit(20),
  ]);
  // Every version the page names, read once.
  const versionIds = [
    ...new Set([e.modelVersionId, ...rows.map((r) => r.modelVersionId), ...alarms.map((a) => a.modelVersionId), ...loops.flatMap((l) => [l.championVersionId, l.challengerVersionId]).filter((x): x is string => !!x)]),
  ];
  const versions = new Map(
    (await db.select({ id: modelVersions.id, name: modelVersions.name, version: modelVersions.version, task: modelVersions.task }).from(modelVersions).where(inArray(modelVersions.id, versionIds))).map((v) => [v.id, v]),
  );
  const modelName = (id: string) => {
    const v = versions.get(id);
    return v ? `${v.name} v${v.version}` : id;
  };
  const shortName = (id: string | null) => (id ? (versions.has(id) ? `v${versions.get(id)!.version}` : null) : null);
  const task = versions.get(e.modelVersionId)?.task ?? "classification";
  const keys = [...new Set(rows.map((r) => `${r.modelVersionId}:${r.role}`))];
  const series = await Promise.all(
    keys.map(async (key) => {
      const [modelVersionId, role] = key.split(":") as [string, "live" | "shadow"];
      const mine = rows.filter((r) => r.modelVersionId === modelVersionId && r.role === role);
      const total = mine.reduce((t, r) => addCounts(t, r.counts), emptyCounts());
      const profile = await profileOf(db, artifacts, modelVersionId);
      return {
        modelVersionId,
        role,
        model: modelName(modelVersionId),
        points: mine.map((r) => ({
          minute: r.minute,
          requests: r.counts.requests,
          failed: r.counts.failed,
          rows: r.counts.rows,
          p50: latencyQuantile(r.counts.latency, 0.5),
          p95: latencyQuantile(r.counts.latency, 0.95),
          p99: latencyQuantile(r.counts.latency, 0.99),
        })),
        totals: { requests: total.requests, failed: total.failed, rows: total.rows, p50: latencyQuantile(total.latency, 0.5), p99: latencyQuantile(total.latency, 0.99) },
        drift: profile ? driftReport(profile, total, settings) : null,
      };
    }),
  );
  const accuracy = await scoresOverTime(db, e.id, task, range);
  return {
    slug,
    monitored: e.monitored,
    /** The version the endpoint serves now: what the page shows first. */
    currentVersionId: e.modelVersionId,
    settings: { ...settings, webhookSecret: settings.webhookSecret ? "(set)" : undefined },
    range,
    series,
    task,
    accuracy: accuracy.map((a) => ({ ...a, model: modelName(a.modelVersionId) })),
    retrainings: loops.map((l) => ({
      id: l.id,
      status: l.status,
      runId: l.runId,
      champion: shortName(l.championVersionId),
      challenger: shortName(l.challengerVersionId),
      startedAt: l.startedAt,
      finishedAt: l.finishedAt,
      decisions: l.decisions,
    })),
    alarms: alarms.map((a) => ({ ...a, model: modelName(a.modelVersionId) })),
  };
}

/** The current window's drift for the endpoint's own model version (what alarms and gauges read). */
export async function currentDrift(db: Db, artifacts: ArtifactStore, endpoint: { id: string; modelVersionId: string; monitor: Partial<MonitorSettings> | null }, now = new Date()) {
  const settings = monitorSettings(endpoint.monitor);
  const profile = await profileOf(db, artifacts, endpoint.modelVersionId);
  if (!profile) return null;
  const counts = await windowCounts(db, endpoint.id, endpoint.modelVersionId, "live", windowOf(settings), now);
  return { settings, report: driftReport(profile, counts, settings) };
}

const MAX_RANGE_MS = 31 * 86_400_000;

/** A time range from ISO strings (the last 6 hours by default), at most 31 days; 400 naming the field otherwise. */
export function rangeOf(q: { from?: string | null; to?: string | null }, now = new Date()): { from: Date; to: Date } {
  const parse = (v: string | null | undefined, field: string, fallback: Date) => {
    if (v === null || v === undefined || v === "") return fallback;
    const d = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(d.getTime())) throw InvalidError.withProblems(`${field} must be an ISO date-time such as 2026-11-01T00:00:00Z`, [{ path: field, message: `not an ISO date-time: '${v.slice(0, 40)}'` }]);
    return d;
  };
  const to = parse(q.to, "to", now);
  const from = parse(q.from, "from", new Date(to.getTime() - 6 * 3600_000));
  if (from >= to) throw InvalidError.withProblems("from must be before to", [{ path: "from", message: "is not before to" }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw InvalidError.withProblems("a range is at most 31 days", [{ path: "from", message: "more than 31 days before to" }]);
  return { from, to };
}

/** An endpoint's alarms, newest first (the last 100). */
async function alarmsOf(db: Db, endpointId: string) {
  return db.select().from(monitorAlarms).where(eq(monitorAlarms.endpointId, endpointId)).orderBy(desc(monitorAlarms.openedAt)).limit(100);
}

/**
 * Live accuracy (or RMSE) from feedback over time, per model version and role: predictions are
 * grouped by when they were made, so a label that arrives late fills in its prediction's bucket.
 * Buckets of 5 minutes up to 6 hours, an hour up to 2 days, else a day; accuracy with its Wilson
 * 95% interval.
 */
async function scoresOverTime(db: Db, endpointId: string, task: "classification" | "regression", range: { from: Date; to: Date }) {
  const span = range.to.getTime() - range.from.getTime();
  const secs = span <= 6 * 3600_000 ? 300 : span <= 48 * 3600_000 ? 3600 : 86_400;
  const rows = (await db.execute(sql`
    select to_timestamp(floor(extract(epoch from l.created_at) / ${secs}) * ${secs}) as t, l.model_version_id, l.shadow,
           count(*)::int as labelled,
           count(*) filter (where f.label #>> '{}' = l.prediction::jsonb #>> '{}')::int as correct,
           sum(power((f.label #>> '{}')::float8 - (l.prediction::jsonb #>> '{}')::float8, 2)) filter (where jsonb_typeof(f.label) = 'number' and jsonb_typeof(l.prediction::jsonb) = 'number') as sse
      from prediction_log l
      join prediction_feedback f on f.request_id = l.request_id and f.idx = l.idx and f.endpoint_id = l.endpoint_id
     where l.endpoint_id = ${endpointId} and l.created_at >= ${range.from.toISOString()}::timestamptz and l.created_at < ${range.to.toISOString()}::timestamptz
       and l.batch_last_at >= ${range.from.toISOString()}::timestamptz and l.batch_first_at < ${range.to.toISOString()}::timestamptz
     group by 1, 2, 3 order by 1`)) as unknown as { t: Date | string; model_version_id: string; shadow: boolean; labelled: number; correct: number; sse: number | null }[];
  return rows.map((r) => ({
    t: new Date(r.t),
    modelVersionId: r.model_version_id,
    role: r.shadow ? ("shadow" as const) : ("live" as const),
    labelled: r.labelled,
    ...(task === "classification" ? { accuracy: r.correct / r.labelled, ...wilson(r.correct, r.labelled) } : { rmse: Math.sqrt(Number(r.sse ?? 0) / r.labelled) }),
  }));
}
