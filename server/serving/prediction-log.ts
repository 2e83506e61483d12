/**
 * The prediction log, written off the request path: a request appends its rows to a queue and
 * answers; the queue is flushed in batches (one multi-row INSERT) every FLUSH_MS or every
 * BATCH rows, with COPY. The queue is bounded: when Postgres cannot keep up, rows beyond it are dropped and
 * counted (`millrace_prediction_log_dropped_total`), never held in memory without limit.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Db } from "~/db/client";
import { metrics } from "../metrics/registry";

export interface LoggedPrediction {
  request_id: string;
  idx: number;
  endpoint_id: string;
  model_version_id: string;
  shadow: boolean;
  input: Record<string, unknown>;
  prediction: unknown;
  latency_ms: number;
  /** Milliseconds since the epoch. */
  created_at: number;
}

const FLUSH_MS = 200;
const BATCH = 5000;
const MAX_QUEUED = 50_000;
/** Rows encoded between two yields to the event loop. */
const SLICE = 250;

export class PredictionLog {
  private queue: LoggedPrediction[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;

  constructor(private db: Db) {}

  append(rows: LoggedPrediction[]) {
    const room = MAX_QUEUED - this.queue.length;
    if (rows.length > room) metrics().logDropped.inc(rows.length - Math.max(0, room));
    if (room <= 0) return;
    for (let i = 0; i < rows.length && i < room; i++) this.queue.push(rows[i]!);
    if (this.draining) return; // the running drain takes these too
    if (this.queue.length >= BATCH) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is queued (one drain at a time); resolves when it is in Postgres or counted as dropped. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length && !this.timer) {
        this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
        this.timer.unref();
      }
    });
    return this.draining;
  }

  private async drain() {
    while (this.queue.length) await this.write(this.queue.splice(0, BATCH));
  }

  private async write(batch: LoggedPrediction[]) {
    try {
      // COPY, not INSERT: a few times cheaper for Postgres and for this process at serving rates.
      const stream = await this.db.$sql`copy prediction_log (request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at) from stdin`.writable();
      const done = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
      });
      // Encoded a slice at a time, yielding between slices: a 5,000-row batch encoded in one go
      // would hold up the requests waiting behind it for milliseconds.
      for (let i = 0; i < batch.length; i += SLICE) {
        if (i) await yieldToLoop();
        let text = "";
        for (let j = i; j < i + SLICE && j < batch.length; j++) text += copyLine(batch[j]!);
        stream.write(text);
      }
      stream.end();
      await done;
      metrics().logWritten.inc(batch.length);
    } catch (e) {
      // An endpoint deleted meanwhile (foreign key) or the database away: these rows are lost, and counted.
      metrics().logDropped.inc(batch.length);
      console.error(`[serving] could not write ${batch.length} prediction log rows: ${(e as Error).message}`);
    }
  }
}

/** A JSON value as a field of COPY's text format: JSON has no raw tabs or newlines, so only backslashes need doubling. */
function jsonField(v: unknown) {
  if (v === undefined) return "\\N";
  const text = JSON.stringify(v);
  return text.includes("\\") ? text.replaceAll("\\", "\\\\") : text;
}

// Rows logged in the same millisecond share one formatted time.
let lastMs = -1;
let lastIso = "";
function isoTime(ms: number) {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** One row in COPY's text format (tab-separated, newline-terminated). */
export function copyLine(r: LoggedPrediction) {
  return `${r.request_id}\t${r.idx}\t${r.endpoint_id}\t${r.model_version_id}\t${r.shadow ? "t" : "f"}\t${jsonField(r.input)}\t${jsonField(r.prediction)}\t${r.latency_ms}\t${isoTime(r.created_at)}\n`;
}

/**
 * Deletes logged predictions and feedback older than `days` (0: keep everything). One serving
 * process does it at a time (an advisory lock); the others skip. Returns the rows deleted.
 */
export async function pruneLog(db: Db, days: number): Promise<number> {
  if (days <= 0) return 0;
  return db.$sql.begin(async (tx) => {
    const [lock] = await tx`select pg_try_advisory_xact_lock(hashtext('millrace:prune-prediction-log')) as ok`;
    if (!lock?.ok) return 0;
    const logs = await tx`delete from prediction_log where created_at < now() - make_interval(days => ${days})`;
    const labels = await tx`delete from prediction_feedback where created_at < now() - make_interval(days => ${days})`;
    // The monitoring counts (one row per minute, endpoint, version and role) keep as long.
    const counts = await tx`delete from monitor_counts where minute < now() - make_interval(days => ${days})`;
    return logs.count + labels.count + counts.count;
  });
}
