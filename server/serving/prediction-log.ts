/**
 * The prediction log, written off the request path: a request appends its rows to a queue and
 * answers; the queue is flushed in batches every FLUSH_MS or every BATCH rows, with COPY in its
 * binary format. The queue is bounded: when Postgres cannot keep up, rows beyond it are dropped and
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
      // COPY, not INSERT: a few times cheaper for Postgres and for this process at serving rates;
      // binary rather than text: Postgres parses no ids, numbers or times (half its CPU per row).
      const stream = await this.db.$sql`copy prediction_log (request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at) from stdin (format binary)`.writable();
      const done = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
      });
      // Encoded a slice at a time, yielding between slices: a 5,000-row batch encoded in one go
      // would hold up the requests waiting behind it for milliseconds.
      stream.write(COPY_HEADER);
      for (let i = 0; i < batch.length; i += SLICE) {
        if (i) await yieldToLoop();
        stream.write(copyRows(batch, i, Math.min(i + SLICE, batch.length)));
      }
      stream.write(COPY_TRAILER);
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

// COPY's binary format (PostgreSQL manual, "COPY — Binary Format"): a signature, flags and an
// extension length; then per row the number of fields and each field as its length (-1: NULL)
// and bytes in the type's binary form (big-endian); a field count of -1 ends the data.
export const COPY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const FIELDS = 9;
/** Bytes of a row without its two JSON texts: field count, uuid, int4, uuid, uuid, bool, two lengths, float8, timestamptz. */
const FIXED = 2 + (4 + 16) + (4 + 4) + 2 * (4 + 16) + (4 + 1) + 4 + 4 + (4 + 8) + (4 + 8);
/** timestamptz counts microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX["0123456789abcdef".charCodeAt(i)] = i;
for (let i = 10; i < 16; i++) HEX["ABCDEF".charCodeAt(i - 10)] = i;

/** Writes a UUID's 16 bytes from its text (8-4-4-4-12 hex digits) at `at`. */
function writeUuid(text: string, b: Buffer, at: number) {
  let o = at;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = HEX[text.charCodeAt(i)]!;
    const lo = HEX[text.charCodeAt(i + 1)]!;
    if (hi < 0 || lo < 0 || text.length !== 36) throw new Error(`not a UUID: ${text}`);
    b[o++] = (hi << 4) | lo;
  }
  return o;
}

/** Writes a text field (length, UTF-8 bytes) or NULL for undefined. */
function writeText(value: string | undefined, b: Buffer, at: number) {
  if (value === undefined) return b.writeInt32BE(-1, at);
  const n = b.write(value, at + 4, "utf8");
  b.writeInt32BE(n, at);
  return at + 4 + n;
}

/** Rows [from, to) of `batch` in COPY's binary format. */
export function copyRows(batch: LoggedPrediction[], from: number, to: number): Buffer {
  const inputs: (string | undefined)[] = new Array(to - from);
  const predictions: (string | undefined)[] = new Array(to - from);
  let size = 0;
  for (let j = from; j < to; j++) {
    const r = batch[j]!;
    const input = r.input === undefined ? undefined : JSON.stringify(r.input);
    const prediction = r.prediction === undefined ? undefined : JSON.stringify(r.prediction);
    inputs[j - from] = input;
    predictions[j - from] = prediction;
    // UTF-8 takes at most three bytes per UTF-16 unit.
    size += FIXED + 3 * ((input?.length ?? 0) + (prediction?.length ?? 0));
  }
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  for (let j = from; j < to; j++) {
    const r = batch[j]!;
    o = b.writeInt16BE(FIELDS, o);
    o = writeUuid(r.request_id, b, b.writeInt32BE(16, o));
    o = b.writeInt32BE(r.idx, b.writeInt32BE(4, o));
    o = writeUuid(r.endpoint_id, b, b.writeInt32BE(16, o));
    o = writeUuid(r.model_version_id, b, b.writeInt32BE(16, o));
    o = b.writeUInt8(r.shadow ? 1 : 0, b.writeInt32BE(1, o));
    o = writeText(inputs[j - from], b, o);
    o = writeText(predictions[j - from], b, o);
    o = b.writeDoubleBE(r.latency_ms, b.writeInt32BE(8, o));
    // int64 microseconds, as two 32-bit halves (exact: far below 2^53).
    const us = (r.created_at - PG_EPOCH_MS) * 1000;
    const high = Math.floor(us / 0x100000000);
    o = b.writeUInt32BE(us - high * 0x100000000, b.writeInt32BE(high, b.writeInt32BE(8, o)));
  }
  return b.subarray(0, o);
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
