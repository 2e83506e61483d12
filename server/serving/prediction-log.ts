/**
 * The prediction log, written off the request path: a request appends its rows to a queue, encoded
 * for COPY's binary format at once, and answers; the queue is flushed in batches every FLUSH_MS or
 * every BATCH rows. The queue is bounded: when Postgres cannot keep up, rows beyond it are dropped and
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
  /** Milliseconds since the epoch. */
  created_at: number;
}

const FLUSH_MS = 200;
const BATCH = 5000;
const MAX_QUEUED = 50_000;
/** Encoded bytes held at most (large inputs reach it before MAX_QUEUED rows). */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** Rows are encoded into chunks of this size (a larger row gets a chunk of its own size). */
const CHUNK = 256 * 1024;
/** Written chunks kept for reuse. */
const SPARE = 8;

export class PredictionLog {
  /**
   * Rows wait already encoded in COPY's binary format, not as objects: a request's rows are
   * garbage as soon as it is answered, rather than living through young-generation collections
   * until the next flush (which made every scavenge copy and promote them).
   */
  private chunks: Buffer[] = [];
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  /**
   * Chunks already in Postgres, filled again rather than allocated: a new 256 KiB buffer for every
   * ~1,300 rows counted towards V8's external memory and, under load, made it collect the old
   * space two to three times as often.
   */
  private spare: Buffer[] = [];
  private used = 0;
  private rows = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;

  constructor(private db: Db) {}

  /**
   * Queues one request's rows: `ids` is `logIds(endpoint, model version)`, the same for every
   * request a variant answers; `inputs[i]` scored `predictions[i]`; `text`, when given, is the one
   * input's JSON text (logged instead of serializing it again).
   */
  append(ids: Buffer, requestId: string, inputs: Record<string, unknown>[], predictions: unknown[], latencyMs: number, shadow: boolean, at: number, text?: string) {
    let taken = 0;
    try {
      for (let idx = 0; idx < inputs.length; idx++) {
        if (this.rows >= MAX_QUEUED || this.bytes >= MAX_QUEUED_BYTES) break;
        const input = text !== undefined && inputs.length === 1 ? text : JSON.stringify(inputs[idx]);
        const p = predictions[idx];
        const prediction = typeof p === "number" && Number.isFinite(p) ? String(p) : JSON.stringify(p);
        const bound = rowBound(input, prediction);
        if (this.chunk.length - this.used < bound) {
          if (this.used) this.chunks.push(this.chunk.subarray(0, this.used));
          this.chunk = bound <= CHUNK ? (this.spare.pop() ?? Buffer.allocUnsafe(CHUNK)) : Buffer.allocUnsafe(bound);
          this.used = 0;
        }
        const end = encodeRow(this.chunk, this.used, requestId, idx, ids, shadow, input, prediction, latencyMs, at);
        this.bytes += end - this.used;
        this.used = end;
        this.rows++;
        taken++;
      }
    } catch (e) {
      // A row that cannot be encoded is dropped (counted below); the request it logs is answered.
      console.error(`[serving] a prediction log row could not be encoded: ${(e as Error).message}`);
    }
    if (taken < inputs.length) metrics().logDropped.inc(inputs.length - taken);
    if (!taken || this.draining) return; // the running drain takes these too
    if (this.rows >= BATCH) void this.flush();
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
      if (this.rows && !this.timer) {
        this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
        this.timer.unref();
      }
    });
    return this.draining;
  }

  private async drain() {
    while (this.rows) {
      if (this.used) {
        this.chunks.push(this.chunk.subarray(0, this.used));
        this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK);
      }
      const batch = { chunks: this.chunks, rows: this.rows };
      this.chunks = [];
      this.used = this.rows = this.bytes = 0;
      await this.write(batch.chunks, batch.rows);
    }
  }

  private async write(chunks: Buffer[], rows: number) {
    try {
      // COPY, not INSERT: a few times cheaper for Postgres and for this process at serving rates;
      // binary rather than text: Postgres parses no ids, numbers or times (half its CPU per row).
      const stream = await this.db.$sql`copy prediction_log (request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at) from stdin (format binary)`.writable();
      const done = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
      });
      stream.write(COPY_HEADER);
      for (const c of chunks) stream.write(c);
      stream.write(COPY_TRAILER);
      stream.end();
      await done;
      metrics().logWritten.inc(rows);
      // Written: postgres.js copied each chunk into its own message when it was written.
      for (const c of chunks) if (c.byteOffset === 0 && c.buffer.byteLength === CHUNK && this.spare.length < SPARE) this.spare.push(Buffer.from(c.buffer, 0, CHUNK));
    } catch (e) {
      // An endpoint deleted meanwhile (foreign key) or the database away: these rows are lost, and counted.
      metrics().logDropped.inc(rows);
      console.error(`[serving] could not write ${rows} prediction log rows: ${(e as Error).message}`);
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
    if (!(hi >= 0 && lo >= 0) || text.length !== 36) throw new Error(`not a UUID: ${text}`);
    b[o++] = (hi << 4) | lo;
  }
  return o;
}

/** Writes a big-endian int32 at `at` (plain byte stores: Buffer's writeInt32BE checks its arguments on every call). */
function int32(b: Buffer, v: number, at: number) {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
  return at + 4;
}

/** Writes a text field (length, UTF-8 bytes) or NULL for undefined; ASCII byte by byte, the rest through Buffer.write. */
function writeText(value: string | undefined, b: Buffer, at: number) {
  if (value === undefined) return int32(b, -1, at);
  const start = at + 4;
  const n = value.length;
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) break;
    b[start + i] = c;
  }
  const bytes = i === n ? n : i + b.write(value.slice(i), start + i, "utf8");
  int32(b, bytes, at);
  return start + bytes;
}

/** The most bytes a row with these JSON texts can take (UTF-8 takes at most three bytes per UTF-16 unit). */
const rowBound = (input: string | undefined, prediction: string | undefined) => FIXED + 3 * ((input?.length ?? 0) + (prediction?.length ?? 0));

/** An endpoint's and a model version's ids as the two fields of a row (encoded once per variant). */
export function logIds(endpointId: string, modelVersionId: string): Buffer {
  const b = Buffer.alloc(2 * (4 + 16));
  writeUuid(modelVersionId, b, b.writeInt32BE(16, writeUuid(endpointId, b, b.writeInt32BE(16, 0))));
  return b;
}

/** Writes one row at `at`, in room for `rowBound` of its texts; returns where it ends. */
function encodeRow(b: Buffer, at: number, requestId: string, idx: number, ids: Buffer, shadow: boolean, input: string | undefined, prediction: string | undefined, latencyMs: number, createdAt: number) {
  b[at] = 0;
  b[at + 1] = FIELDS;
  let o = writeUuid(requestId, b, int32(b, 16, at + 2));
  o = int32(b, idx, int32(b, 4, o));
  for (let i = 0; i < ids.length; i++) b[o + i] = ids[i]!;
  o += ids.length;
  o = int32(b, 1, o);
  b[o++] = shadow ? 1 : 0;
  o = writeText(input, b, o);
  o = writeText(prediction, b, o);
  o = b.writeDoubleBE(latencyMs, int32(b, 8, o));
  // int64 microseconds, as two 32-bit halves (exact: far below 2^53).
  const us = (createdAt - PG_EPOCH_MS) * 1000;
  const high = Math.floor(us / 0x100000000);
  return int32(b, us - high * 0x100000000, int32(b, high, int32(b, 8, o)));
}

/** Rows [from, to) of `batch` in COPY's binary format. */
export function copyRows(batch: LoggedPrediction[], from: number, to: number): Buffer {
  const texts = batch.slice(from, to).map((r) => [r.input === undefined ? undefined : JSON.stringify(r.input), r.prediction === undefined ? undefined : JSON.stringify(r.prediction)] as const);
  const b = Buffer.allocUnsafe(texts.reduce((size, [input, prediction]) => size + rowBound(input, prediction), 0));
  let o = 0;
  for (let j = from; j < to; j++) {
    const r = batch[j]!;
    const [input, prediction] = texts[j - from]!;
    o = encodeRow(b, o, r.request_id, r.idx, logIds(r.endpoint_id, r.model_version_id), r.shadow, input, prediction, r.latency_ms, r.created_at);
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
