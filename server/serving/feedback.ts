/**
 * Ground truth for logged predictions, and the live accuracy it gives. A label is kept by
 * (request id, instance index) whether or not its prediction is logged yet: labels that arrive
 * before the log's batch is written, or days later, join the same way.
 */
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { InvalidError } from "~/lib/errors";
import { isUuid } from "../http/errors";
import type { Served } from "./table";

export const MAX_FEEDBACK = 1000;

interface Label {
  requestId: string;
  index: number;
  label: string | number | boolean;
}

/**
 * The JSON type a label must have: numbers for a regressor; for a classifier, the type of its
 * classes (a class the model never saw is still ground truth, but a number is not a string).
 */
export function labelType(served: Pick<Served, "task" | "primary">): "number" | "string" | "boolean" | null {
  if (served.task === "regression") return "number";
  const types = new Set((served.primary.model.file.classes ?? []).map((c) => typeof c));
  return types.size === 1 ? ([...types][0] as "number" | "string" | "boolean") : null;
}

/** `{"requestId", "label", "index"?}` or `{"feedback": [...]}`; every problem named by its place. */
export function parseFeedback(body: unknown, type: ReturnType<typeof labelType>): Label[] {
  const one = typeof body === "object" && body !== null && !Array.isArray(body) && !("feedback" in body);
  const items: unknown = one ? [body] : (body as { feedback?: unknown } | null)?.feedback;
  if (!Array.isArray(items) || items.length === 0) throw new InvalidError('body must be {"requestId", "label", "index"?} or {"feedback": [...]}');
  if (items.length > MAX_FEEDBACK) throw new InvalidError(`at most ${MAX_FEEDBACK} labels per request, got ${items.length}`);
  return items.map((item, i) => {
    const at = one ? "" : `feedback[${i}].`;
    if (typeof item !== "object" || item === null) throw new InvalidError(`${at || "body "}must be an object`);
    const { requestId, label, index = 0 } = item as Record<string, unknown>;
    if (typeof requestId !== "string" || !isUuid(requestId)) throw new InvalidError(`${at}requestId must be the requestId of a prediction (a UUID)`);
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= 1000) throw new InvalidError(`${at}index must be the instance's position in its request (0 to 999)`);
    if (type ? typeof label !== type || (type === "number" && !Number.isFinite(label)) : !["string", "number", "boolean"].includes(typeof label)) {
      throw new InvalidError(`${at}label must be ${type ? `a ${type}, as the model's targets are` : "a string, number or boolean"}`);
    }
    return { requestId, index: index as number, label: label as Label["label"] };
  });
}

/**
 * Stores labels for an endpoint's predictions: `accepted` were stored; `matched` are the ones
 * whose prediction is in the log now (the rest join when theirs is written, or never, for an id
 * that was never a prediction of this endpoint or was not logged). A request id already
 * labelled for another endpoint is not touched.
 */
export async function recordFeedback(db: Db, endpointId: string, labels: Label[]): Promise<{ accepted: number; matched: number }> {
  const s = db.$sql;
  // The same prediction labelled twice in one batch: the later label wins (one row per prediction).
  const latest = new Map(labels.map((l) => [`${l.requestId}/${l.index}`, l]));
  const payload = JSON.stringify([...latest.values()].map((l) => ({ request_id: l.requestId, idx: l.index, label: JSON.stringify(l.label) })));
  const stored = await s`insert into prediction_feedback (request_id, idx, endpoint_id, label)
          select r.request_id::uuid, r.idx, ${endpointId}::uuid, r.label::jsonb from json_to_recordset(${payload}::json) as r(request_id text, idx int, label text)
          on conflict (request_id, idx) do update set label = excluded.label, created_at = now()
          where prediction_feedback.endpoint_id = excluded.endpoint_id
          returning request_id, idx`;
  if (!stored.length) return { accepted: 0, matched: 0 };
  const [m] = await s`select count(*)::int as n from prediction_log l
          join json_to_recordset(${JSON.stringify(stored.map((r) => ({ request_id: r.request_id as string, idx: r.idx as number })))}::json) as r(request_id uuid, idx int)
            on l.request_id = r.request_id and l.idx = r.idx
          where l.endpoint_id = ${endpointId}::uuid and not l.shadow`;
  return { accepted: stored.length, matched: (m?.n as number) ?? 0 };
}

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
export async function liveScores(db: Db, endpointId: string, task: Served["task"], since = new Date(0)): Promise<LiveScore[]> {
  const rows = await db.execute<{ model_version_id: string; name: string; version: number; shadow: boolean; predictions: string; labelled: string; correct: string; sse: number | null; sae: number | null }>(sql`
    select l.model_version_id, mv.name, mv.version, l.shadow, count(*)::text as predictions, count(f.label)::text as labelled,
           count(*) filter (where f.label #>> '{}' = l.prediction::jsonb #>> '{}')::text as correct,
           sum(power((f.label #>> '{}')::float8 - (l.prediction::jsonb #>> '{}')::float8, 2)) filter (where jsonb_typeof(f.label) = 'number' and jsonb_typeof(l.prediction::jsonb) = 'number') as sse,
           sum(abs((f.label #>> '{}')::float8 - (l.prediction::jsonb #>> '{}')::float8)) filter (where jsonb_typeof(f.label) = 'number' and jsonb_typeof(l.prediction::jsonb) = 'number') as sae
    from prediction_log l
    join model_version mv on mv.id = l.model_version_id
    left join prediction_feedback f on f.request_id = l.request_id and f.idx = l.idx and f.endpoint_id = l.endpoint_id
    where l.endpoint_id = ${endpointId} and l.created_at >= ${since.toISOString()}::timestamptz
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
