/**
 * The prediction log's COPY format (`npm run bench:log-format`): the same rows written into a
 * table shaped like `prediction_log` in COPY's text format (what the log used before) and in its
 * binary format (what `server/serving/prediction-log.ts` writes now), three times each, with the
 * wall time and the CPU the Postgres backend spent per row (read from /proc: Postgres on this
 * machine). DATABASE_URL, or the machine's Postgres at 127.0.0.1:5432.
 */
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { COPY_HEADER, COPY_TRAILER, copyRows, type LoggedPrediction } from "~/server/serving/prediction-log";
import { printTable } from "./launcher";

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const SLICE = 1000;
const sql = postgres(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });

/** The text format's line for a row, as the log wrote it before (JSON has no raw tabs or newlines; backslashes doubled). */
const field = (v: unknown) => JSON.stringify(v).replaceAll("\\", "\\\\");
const textLine = (r: LoggedPrediction) =>
  `${r.request_id}\t${r.idx}\t${r.endpoint_id}\t${r.model_version_id}\t${r.shadow ? "t" : "f"}\t${field(r.input)}\t${field(r.prediction)}\t${r.latency_ms}\t${new Date(r.created_at).toISOString()}\n`;

const COLUMNS = "request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at";

async function main() {
  const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const pid = backend!.pid;
  const backendMs = () => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 10; // USER_HZ is 100 on Linux
  };
  await sql`create temp table log_format_bench (request_id uuid not null, idx integer not null, endpoint_id uuid not null, model_version_id uuid not null, shadow boolean not null, input text not null, prediction text not null, latency_ms double precision not null, created_at timestamptz not null)`;
  await sql`create index on log_format_bench using brin (created_at)`;
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
  const write = async (format: "text" | "binary") => {
    const stream = await (format === "text"
      ? sql.unsafe(`copy log_format_bench (${COLUMNS}) from stdin`).writable()
      : sql.unsafe(`copy log_format_bench (${COLUMNS}) from stdin (format binary)`).writable());
    const done = new Promise<void>((resolve, reject) => {
      stream.once("finish", resolve);
      stream.once("error", reject);
    });
    if (format === "binary") stream.write(COPY_HEADER);
    for (let i = 0; i < ROWS; i += SLICE) {
      if (format === "text") {
        let text = "";
        for (let j = i; j < i + SLICE && j < ROWS; j++) text += textLine(rows[j]!);
        stream.write(text);
      } else stream.write(copyRows(rows, i, Math.min(i + SLICE, ROWS)));
    }
    if (format === "binary") stream.write(COPY_TRAILER);
    stream.end();
    await done;
  };
  const table: string[][] = [];
  for (let rep = 1; rep <= 3; rep++) {
    for (const format of ["text", "binary"] as const) {
      await sql`truncate log_format_bench`;
      const cpu0 = backendMs();
      const t0 = performance.now();
      await write(format);
      const wall = performance.now() - t0;
      const cpu = backendMs() - cpu0;
      const [count] = await sql<{ n: number }[]>`select count(*)::int as n from log_format_bench`;
      const n = count!.n;
      if (n !== ROWS) throw new Error(`${format}: ${n} rows written, expected ${ROWS}`);
      table.push([String(rep), format, String(ROWS), wall.toFixed(0), ((cpu * 1000) / ROWS).toFixed(2)]);
    }
  }
  printTable(["run", "COPY format", "rows", "wall ms", "Postgres backend CPU µs/row"], table);
  await sql.end();
}

main().catch(async (e: unknown) => {
  console.error(e);
  await sql.end();
  process.exit(1);
});
