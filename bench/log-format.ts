/**
 * The prediction log's storage (`npm run bench:log-format`): the same predictions written as a row
 * each into a table shaped like the log before migration 0024, in COPY's text format and in its
 * binary format (what the log wrote until then), and as batches of 1,000 into a table shaped like
 * `prediction_log_batches` (what `server/serving/prediction-log.ts` writes now), three times each,
 * with the wall time and the CPU the Postgres backend spent per prediction (read from /proc:
 * Postgres on this machine). Ordinary (logged) tables, as the log's. DATABASE_URL, or the
 * machine's Postgres at 127.0.0.1:5432.
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { Writable } from "node:stream";
import type { Db } from "~/db/client";
import { COPY_HEADER, COPY_TRAILER, copyBatches, logIds, PredictionLog, type LoggedPrediction } from "~/server/serving/prediction-log";
import { requestId } from "~/server/serving/request-id";
import { printTable } from "./launcher";

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const SLICE = 1000;
const sql = postgres(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });

/** The text format's line for a row, as the log wrote it before (JSON has no raw tabs or newlines; backslashes doubled). */
const field = (v: unknown) => JSON.stringify(v).replaceAll("\\", "\\\\");
const textLine = (r: LoggedPrediction) =>
  `${r.request_id}\t${r.idx}\t${r.endpoint_id}\t${r.model_version_id}\t${r.shadow ? "t" : "f"}\t${field(r.input)}\t${field(r.prediction)}\t${r.latency_ms}\t${new Date(r.created_at).toISOString()}\n`;

/** A row per prediction in COPY's binary format, as the log wrote it before its batches. */
function binaryRow(r: LoggedPrediction): Buffer {
  const uuid = (u: string) => Buffer.from(u.replaceAll("-", ""), "hex");
  const int32 = (v: number) => Buffer.from([v >>> 24, v >>> 16, v >>> 8, v]);
  const field = (b: Buffer) => [int32(b.length), b];
  const f8 = Buffer.alloc(8);
  f8.writeDoubleBE(r.latency_ms);
  const ts = Buffer.alloc(8);
  ts.writeBigInt64BE(BigInt((r.created_at - Date.UTC(2000, 0, 1)) * 1000));
  return Buffer.concat([
    Buffer.from([0, 9]),
    ...[uuid(r.request_id), int32(r.idx), uuid(r.endpoint_id), uuid(r.model_version_id), Buffer.from([r.shadow ? 1 : 0]), Buffer.from(JSON.stringify(r.input)), Buffer.from(JSON.stringify(r.prediction)), f8, ts].flatMap(field),
  ]);
}

const COLUMNS = "request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at";

async function main() {
  const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const pid = backend!.pid;
  const backendMs = () => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // USER_HZ is 100 on Linux
  };
  await sql`drop table if exists log_format_rows, log_format_batches`;
  await sql`create table log_format_rows (request_id uuid not null, idx integer not null, endpoint_id uuid not null, model_version_id uuid not null, shadow boolean not null, input text not null, prediction text not null, latency_ms double precision not null, created_at timestamptz not null)`;
  await sql`create index on log_format_rows using brin (created_at)`;
  // As migrations 0024 and 0025 make prediction_log_batches.
  await sql`create table log_format_batches (endpoint_id uuid not null, model_version_id uuid not null, shadow boolean not null, first_at timestamptz not null, last_at timestamptz not null, request_ids uuid[] not null, idxs integer[] not null, inputs text[] not null, predictions text[] not null, latencies_ms double precision[] not null, created_ats timestamptz[] not null)`;
  await sql`create index on log_format_batches using brin (first_at, last_at)`;
  for (const c of ["request_ids", "idxs", "inputs", "predictions", "latencies_ms", "created_ats"]) await sql.unsafe(`alter table log_format_batches alter column ${c} set storage external`);
  const endpoint = randomUUID();
  const version = randomUUID();
  const now = Date.now();
  const rows: LoggedPrediction[] = Array.from({ length: ROWS }, (_, i) => ({
    request_id: randomUUID(),
    idx: i % 4,
    endpoint_id: endpoint,
    model_version_id: version,
    shadow: false,
    input: { feature_1: (i % 50) / 10, feature_2: -1.1, feature_3: i % 7 ? i / 100 : null, feature_4: "a\tb" },
    prediction: i % 3 ? "yes" : "no",
    latency_ms: 0.1 + (i % 10) / 100,
    created_at: now + i,
  }));
  type Format = "text, a row each" | "binary, a row each" | "binary, batches of 1,000 (now)";
  // Encoded before the clock starts: what is measured is Postgres's side.
  const slices = (encode: (from: number, to: number) => Buffer) => Array.from({ length: Math.ceil(ROWS / SLICE) }, (_, k) => encode(k * SLICE, Math.min((k + 1) * SLICE, ROWS)));
  const payloads: Record<Format, { table: string; copy: string; data: Buffer[] }> = {
    "text, a row each": { table: "log_format_rows", copy: `copy log_format_rows (${COLUMNS}) from stdin`, data: slices((from, to) => Buffer.from(rows.slice(from, to).map(textLine).join(""))) },
    "binary, a row each": { table: "log_format_rows", copy: `copy log_format_rows (${COLUMNS}) from stdin (format binary)`, data: [COPY_HEADER, ...slices((from, to) => Buffer.concat(rows.slice(from, to).map(binaryRow))), COPY_TRAILER] },
    "binary, batches of 1,000 (now)": { table: "log_format_batches", copy: "copy log_format_batches from stdin (format binary)", data: [COPY_HEADER, ...slices((from, to) => copyBatches(rows.slice(from, to))), COPY_TRAILER] },
  };
  const count = async (table: string) => {
    const [r] = await sql.unsafe<{ n: number }[]>(table === "log_format_rows" ? `select count(*)::int as n from ${table}` : `select coalesce(sum(cardinality(request_ids)), 0)::int as n from ${table}`);
    return r!.n;
  };
  const table: string[][] = [];
  for (let rep = 1; rep <= 3; rep++) {
    for (const [format, p] of Object.entries(payloads)) {
      await sql.unsafe(`truncate ${p.table}`);
      await sql`checkpoint`;
      const cpu0 = backendMs();
      const t0 = performance.now();
      const stream = await sql.unsafe(p.copy).writable();
      const done = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
      });
      for (const d of p.data) stream.write(d);
      stream.end();
      await done;
      const wall = performance.now() - t0;
      const cpu = backendMs() - cpu0;
      const n = await count(p.table);
      if (n !== ROWS) throw new Error(`${format}: ${n} predictions written, expected ${ROWS}`);
      table.push([String(rep), format, String(ROWS), wall.toFixed(0), ((cpu * 1000) / ROWS).toFixed(2)]);
    }
  }
  await sql`drop table log_format_rows, log_format_batches`;
  printTable(["run", "COPY format", "predictions", "wall ms", "Postgres backend CPU µs/prediction"], table);

  // The serving process's side, against a COPY that goes nowhere.
  const nowhere = { $sql: () => ({ writable: async () => new Writable({ write: (_c, _e, cb) => cb() }) }) } as unknown as Db;
  const ids = logIds(endpoint, version);
  const many = rows.slice(0, 1000).map((r) => r.input);
  const labels = many.map((_, i) => (i % 3 ? "yes" : "no"));
  const single = [rows[0]!.input];
  const text = JSON.stringify(single[0]);
  const appends: string[][] = [];
  for (let rep = 1; rep <= 3; rep++) {
    const log = new PredictionLog(nowhere);
    let t0 = performance.now();
    for (let k = 0; k < 400_000; k++) {
      log.append(ids, requestId(), single, ["yes"], 1, false, Date.now(), text);
      if (k % 4000 === 0) await log.flush();
    }
    await log.flush();
    const one = ((performance.now() - t0) * 1000) / 400_000;
    t0 = performance.now();
    for (let k = 0; k < 2000; k++) {
      log.append(ids, requestId(), many, labels, 1, false, Date.now());
      if (k % 40 === 0) await log.flush();
    }
    await log.flush();
    appends.push([String(rep), one.toFixed(2), (((performance.now() - t0) * 1000) / 2000).toFixed(0)]);
  }
  printTable(["run", "one-row request: µs to append", "1,000-row request: µs to append"], appends);
  await sql.end();
}

main().catch(async (e: unknown) => {
  console.error(e);
  await sql.end();
  process.exit(1);
});
