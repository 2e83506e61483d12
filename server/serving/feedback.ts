/**
 * Ground truth for logged predictions, and the live accuracy it gives. A label is kept by
 * (request id, instance index) whether or not its prediction is logged yet: labels that arrive
 * before the log's batch is written, or days later, join the same way.
 */
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

/** The JSON type a label must have: numbers for a regressor; for a classifier, the type of its classes. */
export function labelType(served: Pick<Served, "task" | "primary">): "number" | "string" | "boolean" | null {
  if (served.task === "regression") return "number";
  const types = new Set((served.primary.model.file.classes ?? []).map((c) => typeof c));
  return types.size === 1 ? ([...types][0] as "number" | "string" | "boolean") : null;
}

/**
 * What a classifier's label may be: a class one of the endpoint's models (live or shadow) knows.
 * A label outside them (a typo, `7` or `0.5` for a 0/1 model) would count as a wrong prediction
 * and skew live accuracy; a class that is new to every model needs a model trained on it first.
 * Null for a regressor.
 */
export function labelClasses(served: Pick<Served, "task" | "live" | "shadows">): ReadonlySet<Label["label"]> | null {
  if (served.task === "regression") return null;
  // A Set keeps 1 and "1" apart, as labels must be.
  return new Set([...served.live, ...served.shadows].flatMap((v) => v.model.file.classes ?? []));
}

/** `{"requestId", "label", "index"?}` or `{"feedback": [...]}`; every problem named by its place. */
export function parseFeedback(body: unknown, type: ReturnType<typeof labelType>, classes: ReadonlySet<Label["label"]> | null = null): Label[] {
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
    if (classes && !classes.has(label as Label["label"])) {
      const shown = [...classes].slice(0, 20).map((c) => JSON.stringify(c)).join(", ");
      throw new InvalidError(`${at}label ${JSON.stringify(label).slice(0, 40)} is not a class this endpoint's models know (${shown}${classes.size > 20 ? `, … ${classes.size} in all` : ""})`);
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
  // The log has no index on request ids (one would slow every write); request ids carry their
  // time (UUIDv7), so the match reads only the log's batches of that time (its BRIN index).
  const span = loggedBetween(stored.map((r) => r.request_id as string));
  const [m] = await s`select count(*)::int as n from prediction_log l
          join json_to_recordset(${JSON.stringify(stored.map((r) => ({ request_id: r.request_id as string, idx: r.idx as number })))}::json) as r(request_id uuid, idx int)
            on l.request_id = r.request_id and l.idx = r.idx
          where l.endpoint_id = ${endpointId}::uuid and not l.shadow
            and l.batch_last_at >= ${span.from}::text::timestamptz and l.batch_first_at <= ${span.to}::text::timestamptz`;
  return { accepted: stored.length, matched: (m?.n as number) ?? 0 };
}

/** When a request id was made, from a UUIDv7's leading 48 bits (ms since the epoch); null for other versions. */
export function requestIdTime(id: string): number | null {
  return id[14] === "7" ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;
}

/**
 * The span of log times that can hold these requests' rows: a row is written with the time its
 * prediction finished, a moment after its id was made. Ids made before request ids carried their
 * time (random UUIDs) widen it to the whole log.
 */
export function loggedBetween(ids: string[]): { from: string; to: string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const id of ids) {
    const t = requestIdTime(id);
    if (t === null) return { from: "-infinity", to: "infinity" };
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return { from: new Date(lo - 60_000).toISOString(), to: new Date(hi + 10 * 60_000).toISOString() };
}
