/**
 * The prediction log, written off the request path: a request appends its rows to a queue and
 * answers; the queue is flushed in batches (one multi-row INSERT) every FLUSH_MS or every
 * BATCH rows. The queue is bounded: when Postgres cannot keep up, rows beyond it are dropped and
 * counted (`millrace_prediction_log_dropped_total`), never held in memory without limit.
 */
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
  created_at: Date;
}

const FLUSH_MS = 200;
const BATCH = 2000;
const MAX_QUEUED = 50_000;

export class PredictionLog {
  private queue: LoggedPrediction[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private db: Db) {}

  append(rows: LoggedPrediction[]) {
    const room = MAX_QUEUED - this.queue.length;
    if (rows.length > room) metrics().logDropped.inc(rows.length - Math.max(0, room));
    if (room <= 0) return;
    for (let i = 0; i < rows.length && i < room; i++) this.queue.push(rows[i]!);
    if (this.queue.length >= BATCH) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes what is queued; resolves when it is in Postgres (or was counted as dropped). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) await this.flushing;
    if (!this.queue.length) return;
    const batch = this.queue.splice(0, BATCH);
    this.flushing = this.write(batch).finally(() => (this.flushing = null));
    await this.flushing;
    if (this.queue.length) await this.flush();
  }

  private async write(batch: LoggedPrediction[]) {
    const sql = this.db.$sql;
    try {
      const rows = batch.map((r) => ({ ...r, input: sql.json(r.input as never), prediction: sql.json(r.prediction as never) }));
      await sql`insert into prediction_log ${sql(rows, "request_id", "idx", "endpoint_id", "model_version_id", "shadow", "input", "prediction", "latency_ms", "created_at")} on conflict do nothing`;
      metrics().logWritten.inc(batch.length);
    } catch (e) {
      // An endpoint deleted meanwhile (foreign key) or the database away: these rows are lost, and counted.
      metrics().logDropped.inc(batch.length);
      console.error(`[serving] could not write ${batch.length} prediction log rows: ${(e as Error).message}`);
    }
  }
}
