/**
 * The prediction log, written off the request path: a request appends its rows to its variant's
 * open batch, encoded for COPY's binary format at once, and answers; the batches are written every
 * FLUSH_MS or when one holds BATCH rows, each as one row of `prediction_log_batches` (the
 * predictions' fields as parallel arrays: Postgres spends half the CPU per prediction that a row
 * per prediction cost it). What waits is bounded: when Postgres cannot keep up, rows beyond it are
 * dropped and counted (`millrace_prediction_log_dropped_total`), never held in memory without limit.
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
/** Rows of a batch (one table row) at most; a full batch is written at once. */
const BATCH = 5000;
const MAX_QUEUED = 50_000;
/** Encoded bytes held at most (large inputs reach it before MAX_QUEUED rows). */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** Written batches kept for reuse (their buffers), rather than allocated again… */
const SPARE = 8;
/** …when their columns hold at most this much room (a batch of large inputs is let go). */
const SPARE_BYTES = 2 * 1024 * 1024;
/** A COPY that neither finishes nor fails within this long is counted as lost (the driver may not report a refusal after its end). */
const WRITE_TIMEOUT_MS = 60_000;

export class PredictionLog {
  /**
   * The open batch of each variant (keyed by its `logIds` buffer), live and shadow apart. Rows wait
   * already encoded, not as objects: a request's rows are garbage as soon as it is answered,
   * rather than living through young-generation collections until the next flush.
   */
  private open = [new Map<Buffer, Batch>(), new Map<Buffer, Batch>()] as const;
  /** Full batches waiting for the next write. */
  private full: Batch[] = [];
  /**
   * Written batches, filled again rather than allocated: new buffers for every batch counted
   * towards V8's external memory and, under load, made it collect the old space more often.
   */
  private spare: Batch[] = [];
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
    const open = this.open[shadow ? 1 : 0];
    try {
      for (let idx = 0; idx < inputs.length; idx++) {
        if (this.rows >= MAX_QUEUED || this.bytes >= MAX_QUEUED_BYTES) break;
        const input = text !== undefined && inputs.length === 1 ? text : (JSON.stringify(inputs[idx]) ?? "null");
        const p = predictions[idx];
        const prediction = typeof p === "number" && Number.isFinite(p) ? String(p) : (JSON.stringify(p) ?? "null");
        const opened = open.get(ids);
        const batch = opened ?? (this.spare.pop() ?? new Batch()).start(ids, shadow);
        this.bytes += batch.add(requestId, idx, input, prediction, latencyMs, at);
        // Opened only once it holds a row: a first row refused leaves no empty batch behind.
        if (!opened) open.set(ids, batch);
        this.rows++;
        taken++;
        if (batch.rows === BATCH) {
          open.delete(ids);
          this.full.push(batch);
        }
      }
    } catch (e) {
      // A row that cannot be encoded is dropped (counted below); the request it logs is answered.
      console.error(`[serving] a prediction log row could not be encoded: ${(e as Error).message}`);
    }
    if (taken < inputs.length) metrics().logDropped.inc(inputs.length - taken);
    if (!taken || this.draining) return; // the running drain takes these too
    if (this.full.length) void this.flush();
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
      const batches = this.full;
      for (const open of this.open) {
        for (const b of open.values()) batches.push(b);
        open.clear();
      }
      this.full = [];
      const rows = this.rows;
      this.rows = this.bytes = 0;
      await this.write(batches, rows);
    }
  }

  private async write(batches: Batch[], rows: number) {
    try {
      // COPY, not INSERT: a few times cheaper for Postgres and for this process at serving rates;
      // binary rather than text: Postgres parses no ids, numbers or times.
      const stream = await this.db.$sql`copy prediction_log_batches (endpoint_id, model_version_id, shadow, first_at, last_at, request_ids, idxs, inputs, predictions, latencies_ms, created_ats) from stdin (format binary)`.writable();
      let timer: NodeJS.Timeout | undefined;
      const done = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
        // postgres.js settles neither when Postgres refuses the data after the stream has ended.
        timer = setTimeout(() => reject(new Error(`COPY not confirmed within ${WRITE_TIMEOUT_MS / 1000} s`)), WRITE_TIMEOUT_MS);
        timer.unref();
      });
      stream.write(COPY_HEADER);
      for (const b of batches) if (b.rows) for (const part of b.encode()) stream.write(part);
      stream.write(COPY_TRAILER);
      stream.end();
      await done.finally(() => clearTimeout(timer));
      metrics().logWritten.inc(rows);
    } catch (e) {
      // The database away, a row it refused, or no answer: these rows are lost (or not known written), and counted.
      metrics().logDropped.inc(rows);
      console.error(`[serving] could not write ${rows} prediction log rows: ${(e as Error).message}`);
    }
    // Written (postgres.js copied each part into its own message when it was written) or dropped.
    for (const b of batches) if (this.spare.length < SPARE && b.capacity() <= SPARE_BYTES) this.spare.push(b);
  }
}

// COPY's binary format (PostgreSQL manual, "COPY — Binary Format"): a signature, flags and an
// extension length; then per row the number of fields and each field as its length (-1: NULL)
// and bytes in the type's binary form (big-endian); a field count of -1 ends the data. An array
// field (array_send) is its dimensions (1), a has-nulls flag, the element type's OID, each
// dimension's length and lower bound (1), then each element as its length and bytes.
export const COPY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const FIELDS = 11;
/** Element types (pg_type OIDs) of the batch's arrays. */
const OID = { uuid: 2950, int4: 23, text: 25, float8: 701, timestamptz: 1184 };
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

/** Writes a timestamptz's 8 bytes (int64 microseconds since 2000, as two exact 32-bit halves) for `ms` since the epoch. */
function timestamp(b: Buffer, ms: number, at: number) {
  const us = (ms - PG_EPOCH_MS) * 1000;
  const high = Math.floor(us / 0x100000000);
  return int32(b, us - high * 0x100000000, int32(b, high, at));
}

/** A growable buffer of encoded array elements, kept (at its size) when its batch is reused. */
class Column {
  buf: Buffer;
  used = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Room for `n` more bytes. */
  room(n: number) {
    if (this.used + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    return this.buf;
  }
  /** A text element (length, UTF-8 bytes): ASCII byte by byte, the rest through Buffer.write. */
  text(value: string) {
    const n = value.length;
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const b = this.room(4 + 3 * n);
    const start = this.used + 4;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) break;
      b[start + i] = c;
    }
    const bytes = i === n ? n : i + b.write(value.slice(i), start + i, "utf8");
    int32(b, bytes, this.used);
    this.used = start + bytes;
    return 4 + bytes;
  }
}

/** One variant's (endpoint, model version, live or shadow) rows waiting to be written, as columns. */
class Batch {
  rows = 0;
  first = Infinity;
  last = -Infinity;
  ids: Buffer = Buffer.alloc(0);
  shadow = false;
  // Room for 32 rows at first (an endpoint that answers rarely holds little); the columns double
  // as they fill, and a reused batch keeps what it grew to (up to SPARE_BYTES).
  private requestIds = new Column(32 * 20);
  private idxs = new Column(32 * 8);
  private inputs = new Column(32 * 128);
  private predictions = new Column(32 * 16);
  private latencies = new Column(32 * 12);
  private times = new Column(32 * 12);

  start(ids: Buffer, shadow: boolean) {
    this.ids = ids;
    this.shadow = shadow;
    this.rows = 0;
    this.first = Infinity;
    this.last = -Infinity;
    for (const [c] of this.columns()) c.used = 0;
    return this;
  }

  /**
   * Appends one prediction; returns the bytes it took. Room is made in every column first and the
   * id (the one field that can be refused) written first, so a row that fails leaves the columns
   * as they were, in step.
   */
  add(requestId: string, idx: number, input: string, prediction: string, latencyMs: number, at: number) {
    const r = this.requestIds.room(20);
    const i = this.idxs.room(8);
    const l = this.latencies.room(12);
    const t = this.times.room(12);
    this.inputs.room(4 + 3 * input.length);
    this.predictions.room(4 + 3 * prediction.length);
    writeUuid(requestId, r, int32(r, 16, this.requestIds.used));
    this.requestIds.used += 20;
    this.idxs.used = int32(i, idx, int32(i, 4, this.idxs.used));
    this.latencies.used = l.writeDoubleBE(latencyMs, int32(l, 8, this.latencies.used));
    this.times.used = timestamp(t, at, int32(t, 8, this.times.used));
    if (at < this.first) this.first = at;
    if (at > this.last) this.last = at;
    this.rows++;
    return 52 + this.inputs.text(input) + this.predictions.text(prediction);
  }

  /** The bytes its columns hold room for (a batch kept for reuse keeps them). */
  capacity() {
    return this.columns().reduce((n, [c]) => n + c.buf.length, 0);
  }

  private columns() {
    return [
      [this.requestIds, OID.uuid],
      [this.idxs, OID.int4],
      [this.inputs, OID.text],
      [this.predictions, OID.text],
      [this.latencies, OID.float8],
      [this.times, OID.timestamptz],
    ] as const;
  }

  /** The batch as one row of COPY's binary format, in parts (the columns' bytes are not copied). */
  encode(): Buffer[] {
    // Field count; the two ids (their lengths included); shadow; first and last time.
    const head = Buffer.allocUnsafe(2 + this.ids.length + 5 + 2 * 12);
    head[0] = 0;
    head[1] = FIELDS;
    this.ids.copy(head, 2);
    let o = int32(head, 1, 2 + this.ids.length);
    head[o++] = this.shadow ? 1 : 0;
    o = timestamp(head, this.last, int32(head, 8, timestamp(head, this.first, int32(head, 8, o))));
    const parts: Buffer[] = [head];
    for (const [c, oid] of this.columns()) {
      const h = Buffer.allocUnsafe(24);
      int32(h, 20 + c.used, 0);
      int32(h, 1, 4); // one dimension
      int32(h, 0, 8); // no NULL elements
      int32(h, oid, 12);
      int32(h, this.rows, 16);
      int32(h, 1, 20); // lower bound
      parts.push(h, c.buf.subarray(0, c.used));
    }
    return parts;
  }
}

/** An endpoint's and a model version's ids as the two fields of a batch row (encoded once per variant). */
export function logIds(endpointId: string, modelVersionId: string): Buffer {
  const b = Buffer.alloc(2 * (4 + 16));
  writeUuid(modelVersionId, b, b.writeInt32BE(16, writeUuid(endpointId, b, b.writeInt32BE(16, 0))));
  return b;
}

/** `rows` as batch rows in COPY's binary format (one per endpoint, model version and role, in order of first appearance). */
export function copyBatches(rows: LoggedPrediction[]): Buffer {
  const batches = new Map<string, Batch>();
  for (const r of rows) {
    const key = `${r.endpoint_id}/${r.model_version_id}/${r.shadow}`;
    let b = batches.get(key);
    if (!b) {
      b = new Batch();
      b.start(logIds(r.endpoint_id, r.model_version_id), r.shadow);
      batches.set(key, b);
    }
    b.add(r.request_id, r.idx, JSON.stringify(r.input), JSON.stringify(r.prediction), r.latency_ms, r.created_at);
  }
  return Buffer.concat([...batches.values()].flatMap((b) => b.encode()));
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
    // Whole batches: a batch spans one flush (rows carried over by migration 0024: one minute).
    const logs = await tx`delete from prediction_log_batches where last_at < now() - make_interval(days => ${days}) returning cardinality(request_ids) as n`;
    const labels = await tx`delete from prediction_feedback where created_at < now() - make_interval(days => ${days})`;
    // The monitoring counts (one row per minute, endpoint, version and role) keep as long.
    const counts = await tx`delete from monitor_counts where minute < now() - make_interval(days => ${days})`;
    return logs.reduce((n, r) => n + (r.n as number), 0) + labels.count + counts.count;
  });
}
