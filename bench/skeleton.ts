/**
 * Walking-skeleton benchmark: `npm start` to healthy (first and second start on a fresh data
 * dir), the demo run's end-to-end time, and per-node overhead (run time minus the nodes' own
 * work). Runs the real launcher on its own ports; loopback only. `npm run bench:skeleton`.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { freshDataDir, launch, printTable } from "./launcher";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const port = 3200;
const base = `http://127.0.0.1:${port}`;
const dataDir = freshDataDir();
const start = () => launch(dataDir, port);

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

  const { pipelines } = await json<{ pipelines: { id: string; name: string }[] }>(fetch(`${base}/api/v1/pipelines`, { headers: first.auth }));
  const demo = pipelines.find((p) => p.name.startsWith("Demo"))!;
  const e2e: number[] = [];
  const overhead: number[] = [];
  let nodes = 0;
  for (let i = 0; i < RUNS; i++) {
    // Every node computed each time (no reuse from the cache): this measures a full run.
    const { runId } = await json<{ runId: string }>(
      fetch(`${base}/api/v1/pipelines/${demo.id}/runs`, { method: "POST", headers: { ...first.auth, "content-type": "application/json" }, body: JSON.stringify({ ignoreCache: true }) }),
    );
    let run: { status: string; createdAt: string; finishedAt: string; nodes: { workMs: number }[] };
    for (;;) {
      run = await json(fetch(`${base}/api/v1/runs/${runId}`, { headers: first.auth }));
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

  printTable(["measure", "value"], rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
