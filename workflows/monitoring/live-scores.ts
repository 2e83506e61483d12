/**
 * Live scores from feedback: accuracy (with its Wilson 95% interval) or RMSE and MAE per model
 * version and role, joined from the prediction log and the labels callers sent back. Used by the
 * endpoint page, the guardrails, the gauges and the retraining loop's verdict.
 */
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client";

export interface LiveScore {
  modelVersionId: string;
  name: string;
  version: number;
  shadow: boolean;
  /** Predictions logged, and how many of them have a label. */
  predictions: number;
  labelled: number;
  /** Classifiers: share of labelled predictions that were right, with a 95% Wilson interval. */
  accuracy?: number;
  low?: number;
  high?: number;
  /** Regressors. */
  rmse?: number;
  mae?: number;
}

/** Wilson score interval for a proportion (95%). */
export function wilson(correct: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = correct / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Live accuracy (or RMSE and MAE) per model version and role since `since`, from the log joined to its labels.
 * Classes compare as text, so a label sent as "1" matches the class 1.
 */
export async function liveScores(db: Db, endpointId: string, task: "classification" | "regression", since = new Date(0)): Promise<LiveScore[]> {
  const rows = await db.execute<{ model_version_id: string; name: string; version: number; shadow: boolean; predictions: string; labelled: string; correct: string; sse: number | null; sae: number | null }>(sql`
    select l.model_version_id, mv.name, mv.version, l.shadow, count(*)::text as predictions, count(f.label)::text as labelled,
           count(*) filter (where f.label #>> '{}' = l.prediction::jsonb #>> '{}')::text as correct,
           sum(power((f.label #>> '{}')::float8 - (l.prediction::jsonb #>> '{}')::float8, 2)) filter (where jsonb_typeof(f.label) = 'number' and jsonb_typeof(l.prediction::jsonb) = 'number') as sse,
           sum(abs((f.label #>> '{}')::float8 - (l.prediction::jsonb #>> '{}')::float8)) filter (where jsonb_typeof(f.label) = 'number' and jsonb_typeof(l.prediction::jsonb) = 'number') as sae
    from prediction_log l
    join model_version mv on mv.id = l.model_version_id
    left join prediction_feedback f on f.request_id = l.request_id and f.idx = l.idx and f.endpoint_id = l.endpoint_id
    where l.endpoint_id = ${endpointId} and l.created_at >= ${since.toISOString()}::timestamptz and l.batch_last_at >= ${since.toISOString()}::timestamptz
    group by l.model_version_id, mv.name, mv.version, l.shadow
    order by mv.version desc, l.shadow`);
  return rows.map((r) => {
    const n = Number(r.labelled);
    const base = { modelVersionId: r.model_version_id, name: r.name, version: Number(r.version), shadow: r.shadow, predictions: Number(r.predictions), labelled: n };
    if (task === "classification") {
      const correct = Number(r.correct);
      return n ? { ...base, accuracy: correct / n, ...wilson(correct, n) } : base;
    }
    return n ? { ...base, rmse: Math.sqrt(Number(r.sse ?? 0) / n), mae: Number(r.sae ?? 0) / n } : base;
  });
}
