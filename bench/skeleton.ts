/**
 * Walking-skeleton benchmark: `npm start` to healthy (first and second start on a fresh data
 * dir), the demo run's end-to-end time, and per-node overhead (run time minus the nodes' own
 * work). Runs the real launcher on its own ports; loopback only. `npm run bench:skeleton`.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const port = 3200;
const base = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-"));
fs.chmodSync(dataDir, 0o755);
// The launcher must start its own embedded services, whatever the caller's environment says.
const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _ta, ...inherited } = process.env;
const env = {
  ...inherited,
  PORT: String(port),
  MILLRACE_DATA_DIR: dataDir,
  EMBEDDED_PG_PORT: "54339",
  EMBEDDED_TEMPORAL_PORT: "7243",
  TEMPORAL_UI_PORT: "8243",
  TEMPORAL_TASK_QUEUE: "millrace-bench",
};

async function start(): Promise<{ ms: number; stop: () => Promise<number | null> }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, ["--import", "tsx", "server/launcher/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("Millrace is ready")) resolve();
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`launcher exited (${code}):\n${out.slice(-2000)}`)));
  });
  const ms = performance.now() - t0;
  return {
    ms,
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", (code) => resolve(code));
        proc.kill("SIGTERM");
      }),
  };
}

const leftovers = () => {
  try {
    return execFileSync("pgrep", ["-f", dataDir]).toString().trim().split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
};

async function json<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function main() {
  const rows: [string, string][] = [];
  const first = await start();
  rows.push(["npm start → healthy, first start (initdb, seed, Temporal CLI install, build if stale)", `${(first.ms / 1000).toFixed(1)} s`]);

  const { pipelines } = await json<{ pipelines: { id: string; name: string }[] }>(fetch(`${base}/api/v1/pipelines`));
  const demo = pipelines.find((p) => p.name.startsWith("Demo"))!;
  const e2e: number[] = [];
  const overhead: number[] = [];
  let nodes = 0;
  for (let i = 0; i < RUNS; i++) {
    const { runId } = await json<{ runId: string }>(fetch(`${base}/api/v1/pipelines/${demo.id}/runs`, { method: "POST" }));
    let run: { status: string; createdAt: string; finishedAt: string; nodes: { workMs: number }[] };
    for (;;) {
      run = await json(fetch(`${base}/api/v1/runs/${runId}`));
      if (!["queued", "running"].includes(run.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (run.status !== "succeeded") throw new Error(`demo run ${runId} ${run.status}`);
    const total = new Date(run.finishedAt).getTime() - new Date(run.createdAt).getTime();
    const work = run.nodes.reduce((s, n) => s + (n.workMs ?? 0), 0);
    nodes = run.nodes.length;
    e2e.push(total);
    // The demo is one chain (deploy waits for evaluate), so all node work is on the critical path.
    overhead.push((total - work) / nodes);
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  rows.push([`demo run end to end (API request → finished), median of ${RUNS}`, `${(med(e2e) / 1000).toFixed(2)} s (min ${(Math.min(...e2e) / 1000).toFixed(2)}, max ${(Math.max(...e2e) / 1000).toFixed(2)})`]);
  rows.push([`per-node overhead ((run time − Σ node work) / ${nodes} nodes), median`, `${med(overhead).toFixed(0)} ms`]);

  const code1 = await first.stop();
  rows.push(["exit code after SIGTERM / processes left behind", `${code1} / ${leftovers()}`]);
  const second = await start();
  rows.push(["npm start → healthy, second start", `${(second.ms / 1000).toFixed(1)} s`]);
  const code2 = await second.stop();
  rows.push(["exit code after SIGTERM / processes left behind", `${code2} / ${leftovers()}`]);
  fs.rmSync(dataDir, { recursive: true, force: true });

  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${"measure".padEnd(w)} | value\n${"-".repeat(w)}-|------`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)} | ${v}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
