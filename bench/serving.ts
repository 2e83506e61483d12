/**
 * Serving benchmark (`npm run bench:serving`): the demo's 100-tree forest on its raw columns,
 * served by a real `npm start` (the web port) and by the standalone runtime (`npm run serve`),
 * against a bare `node:http` server returning constant JSON, measured in the same run with
 * autocannon on loopback. Prints one table: throughput and latency at 32 connections, p99 at 80%
 * of the peak rate, a batch of 1,000 rows, the prediction log's cost, and a rollback and
 * re-deploy under load (failed requests must be 0).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { freshDataDir, launch, benchEnv, printTable } from "./launcher";

const PORT = 3300;
const BARE_PORT = 3390;
const SERVE_PORT = 3391;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 32;
/** Off/on pairs measuring the prediction log's cost on each port. */
const LOG_PAIRS = Number(process.env.BENCH_LOG_PAIRS ?? 5);
/** Rounds of bare, web port and standalone measuring each endpoint's share of bare. */
const SHARE_ROUNDS = Number(process.env.BENCH_SHARE_ROUNDS ?? 3);
const row = { feature_1: 0.4, feature_2: -1.1, feature_3: null, feature_4: 6.5 };

async function json<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

function load(url: string, opts: { body?: string; overallRate?: number; seconds?: number } = {}) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: opts.seconds ?? SECONDS,
    method: opts.body ? "POST" : "GET",
    headers: opts.body ? { "content-type": "application/json" } : {},
    body: opts.body,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
  });
}

function child(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const on = (b: Buffer) => {
      out += b.toString();
      if (out.includes(ready)) resolve(proc);
    };
    proc.stdout!.on("data", on);
    proc.stderr!.on("data", on);
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}): ${out.slice(-1000)}`)));
  });
}

/** CPU time (user, system) a process has used so far, in ms, from /proc (Linux). */
function cpuMs(pid: number | undefined): { user: number; system: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    return { user: Number(fields[11]) * tick, system: Number(fields[12]) * tick };
  } catch {
    return null;
  }
}

/** CPU time Postgres (the postmaster, its live backends and the ones it reaped) has used so far, in ms. */
function postgresCpuMs(pgDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const stat = (p: string) => readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = stat(String(pid));
    // utime, stime, cutime, cstime (fields 14–17 of /proc/<pid>/stat; index 11–14 after the name)
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const p of readdirSync("/proc")) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const f = stat(p);
        if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // gone meanwhile
      }
    }
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Runs a load and says how much server CPU each answered request cost (user + system µs). */
async function measured(pid: number | undefined, run: () => Promise<autocannon.Result>) {
  const before = cpuMs(pid);
  const r = await run();
  const after = cpuMs(pid);
  const n = r.requests.total || 1;
  const cpu = before && after ? `${(((after.user - before.user) * 1000) / n).toFixed(0)} + ${(((after.system - before.system) * 1000) / n).toFixed(0)} µs CPU/req (user + system)` : "";
  return { r, cpu };
}

const BARE = `
const http = require("node:http");
const body = JSON.stringify({ predictions: [0], probabilities: [{ "0": 0.71, "1": 0.29 }], modelVersion: 1, requestId: "00000000-0000-0000-0000-000000000000" });
http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); }); })
  .listen(${BARE_PORT}, "127.0.0.1", () => console.log("bare ready"));
`;

async function main() {
  const dataDir = freshDataDir();
  const app = await launch(dataDir, PORT);
  const procs: ChildProcess[] = [];
  try {
    const { pipelines } = await json<{ pipelines: { id: string; name: string }[] }>(fetch(`${app.base}/api/v1/pipelines`, { headers: app.auth }));
    const demo = pipelines.find((p) => p.name.startsWith("Demo"))!;
    const runDemo = async () => {
      // Every node again: the second run must train a second model version.
      const { runId } = await json<{ runId: string }>(
        fetch(`${app.base}/api/v1/pipelines/${demo.id}/runs`, { method: "POST", headers: { ...app.auth, "content-type": "application/json" }, body: JSON.stringify({ ignoreCache: true }) }),
      );
      for (;;) {
        const run = await json<{ status: string }>(fetch(`${app.base}/api/v1/runs/${runId}`, { headers: app.auth }));
        if (run.status === "succeeded") return;
        if (!["queued", "running"].includes(run.status)) throw new Error(`demo run ${run.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await runDemo();
    await runDemo(); // version 2: the rollback under load switches between two real models
    const predict = `${app.base}/api/v1/endpoints/demo-model/predict`;
    const one = JSON.stringify(row);
    const check = await json<{ modelVersion: number }>(fetch(predict, { method: "POST", headers: { "content-type": "application/json" }, body: one }));
    if (check.modelVersion !== 2) throw new Error(`expected version 2, got ${check.modelVersion}`);

    const bareProc = await child(["-e", BARE], process.env, "bare ready");
    procs.push(bareProc);
    const serveProc = await child([...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/sprof"] : []), "--import", "tsx", "server/serving/main.ts"], { ...benchEnv(dataDir, PORT), SERVE_PORT: String(SERVE_PORT) }, "[serve] listening");
    procs.push(serveProc);

    const rows: string[][] = [];
    const add = (what: string, r: autocannon.Result, note = "") =>
      rows.push([what, r.requests.average.toFixed(0), r.latency.p50.toFixed(1), r.latency.p99.toFixed(1), String(r.non2xx + r.errors + r.timeouts), note]);
    const setLog = (logSample: number) => json(fetch(`${app.base}/api/v1/endpoints/demo-model/settings`, { method: "PUT", headers: { ...app.auth, "content-type": "application/json" }, body: JSON.stringify({ logSample }) }));

    // Warm up each target (JIT, connections) before measuring.
    const servePredict = `http://127.0.0.1:${SERVE_PORT}/api/v1/endpoints/demo-model/predict`;
    await load(`http://127.0.0.1:${BARE_PORT}/`, { body: one, seconds: 2 });
    await load(predict, { body: one, seconds: 3 });
    await load(servePredict, { body: one, seconds: 2 });
    // Bare, the web port and the standalone runtime in turn, SHARE_ROUNDS times: each share is
    // its own round's ratio to bare (the machine's speed drifts within a run by more than the
    // target's margin: one bare measurement first, then each endpoint once, read 39–43% for the
    // same code), given as the median round's with the range; the rows show the median round.
    /** The middle element of `xs` by `by` (the upper one of an even count). */
    const middle = <T>(xs: T[], by: (x: T) => number) => [...xs].sort((x, y) => by(x) - by(y))[Math.floor(xs.length / 2)]!;
    const median = (xs: number[]) => middle(xs, (x) => x);
    type Measured = { r: autocannon.Result; cpu: string };
    const rounds: { bare: Measured; web: Measured; alone: Measured }[] = [];
    for (let i = 0; i < SHARE_ROUNDS; i++) {
      const bareRound = await measured(bareProc.pid, () => load(`http://127.0.0.1:${BARE_PORT}/`, { body: one }));
      const webRound = { r: await load(predict, { body: one }), cpu: "" };
      const aloneRound = await measured(serveProc.pid, () => load(servePredict, { body: one }));
      rounds.push({ bare: bareRound, web: webRound, alone: aloneRound });
    }
    const share = (target: "web" | "alone") => {
      const ratios = rounds.map((x) => (x[target].r.requests.average / x.bare.r.requests.average) * 100).sort((x, y) => x - y);
      return `${median(ratios).toFixed(0)}% of bare (median of ${ratios.length} rounds' own ratios; ${ratios[0]!.toFixed(0)}–${ratios.at(-1)!.toFixed(0)}%)`;
    };
    const bare = middle(rounds, (x) => x.bare.r.requests.average).bare;
    add(`bare node:http, constant JSON (median of ${SHARE_ROUNDS})`, bare.r, bare.cpu);
    const web = middle(rounds, (x) => x.web.r.requests.average).web.r;
    add(`endpoint on the web port, log on (median of ${SHARE_ROUNDS})`, web, share("web"));
    const alone = middle(rounds, (x) => x.alone.r.requests.average).alone;
    add(`endpoint on \`npm run serve\`, log on (median of ${SHARE_ROUNDS})`, alone.r, `${share("alone")}; ${alone.cpu}`);
    // The prediction log's cost on each port: LOG_PAIRS off/on pairs against the same process,
    // each pair's order alternating (off-on, on-off, …) so that a drift of the machine within a pair
    // cancels out over two; the cost is the median of the pairs' own ratios (a difference of
    // medians of three moved by ±10% between runs here, more than the effect measured), with
    // the CPU each request cost the serving process and Postgres.
    const pgDir = path.join(app.dataDir, "postgres");
    type Side = { rps: number; serve: number; pg: number; failed: number };
    const logCost = async (what: string, url: string, pid: number | undefined) => {
      const sides = { off: [] as Side[], on: [] as Side[] };
      for (let i = 0; i < LOG_PAIRS; i++) {
        for (const side of i % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
          await setLog(side === "on" ? 1 : 0);
          await new Promise((r) => setTimeout(r, 500));
          const s0 = cpuMs(pid);
          const p0 = postgresCpuMs(pgDir);
          const r = await load(url, { body: one, seconds: Math.max(4, SECONDS / 2) });
          await new Promise((r) => setTimeout(r, 400)); // the log's last batch reaches Postgres
          const s1 = cpuMs(pid);
          const p1 = postgresCpuMs(pgDir);
          const n = r.requests.total || 1;
          sides[side].push({ failed: r.non2xx + r.errors + r.timeouts, rps: r.requests.average, serve: s0 && s1 ? ((s1.user + s1.system - s0.user - s0.system) * 1000) / n : NaN, pg: p0 !== null && p1 !== null ? ((p1 - p0) * 1000) / n : NaN });
        }
      }
      const summary = (side: "off" | "on") => ({ failed: sides[side].reduce((t, x) => t + x.failed, 0), rps: median(sides[side].map((x) => x.rps)), serve: median(sides[side].map((x) => x.serve)), pg: median(sides[side].map((x) => x.pg)) });
      const off = summary("off");
      const on = summary("on");
      const costs = sides.on.map((x, i) => ((sides.off[i]!.rps - x.rps) / sides.off[i]!.rps) * 100);
      const cpu = (x: typeof off) => `${Number.isNaN(x.serve) ? "" : `${x.serve.toFixed(1)} µs serving + `}${x.pg.toFixed(1)} µs Postgres CPU/req`;
      rows.push([`${what}, prediction log off (median of ${LOG_PAIRS})`, off.rps.toFixed(0), "", "", String(off.failed), cpu(off)]);
      rows.push([
        `${what}, prediction log on (median of ${LOG_PAIRS})`,
        on.rps.toFixed(0),
        "",
        "",
        String(on.failed),
        `${median(costs).toFixed(1)}% slower (median of the pairs; ${Math.min(...costs).toFixed(1)} to ${Math.max(...costs).toFixed(1)}%); ${cpu(on)}`,
      ]);
    };
    await logCost("standalone", servePredict, serveProc.pid);
    await logCost("web port", predict, app.childPid("server/web/server.ts"));
    await setLog(1);

    const rate = Math.floor(web.requests.average * 0.8);
    const paced = await load(predict, { body: one, overallRate: rate });
    add(`web port at 80% of its peak (${rate}/s)`, paced);

    // A batch of 1,000 rows, one request at a time.
    const batch = JSON.stringify({ instances: Array.from({ length: 1000 }, (_, i) => ({ ...row, feature_1: (i % 50) / 10 - 2.5, feature_3: i % 7 ? i / 100 : null })) });
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const r = await fetch(predict, { method: "POST", headers: { "content-type": "application/json" }, body: batch });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`batch ${r.status}`);
      if (i >= 5) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    rows.push(["batch of 1,000 rows (35 sequential requests)", (1000 / ((times[Math.floor(times.length / 2)] ?? 1) / 1000)).toFixed(0) + " rows/s", times[Math.floor(times.length / 2)]!.toFixed(1), times[Math.floor(times.length * 0.99)]!.toFixed(1), "0", ""]);

    // Rollback to revision 2 (version 1) and re-deploy version 2 while under load.
    const { revisions } = await json<{ revisions: { revision: number; version: number; modelVersionId: string }[] }>(fetch(`${app.base}/api/v1/endpoints/demo-model/revisions`, { headers: app.auth }));
    const v1 = revisions.find((r) => r.version === 1)!;
    const v2 = revisions.find((r) => r.version === 2)!;
    const during = load(predict, { body: one });
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    await json(fetch(`${app.base}/api/v1/endpoints/demo-model/rollback`, { method: "POST", headers: { ...app.auth, "content-type": "application/json" }, body: JSON.stringify({ revision: v1.revision }) }));
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    await json(fetch(`${app.base}/api/v1/endpoints/demo-model/deploy`, { method: "POST", headers: { ...app.auth, "content-type": "application/json" }, body: JSON.stringify({ modelVersionId: v2.modelVersionId }) }));
    const switched = await during;
    add("rollback to v1, then deploy v2, under load", switched, "failed requests must be 0");
    const after = await json<{ modelVersion: number }>(fetch(predict, { method: "POST", headers: { "content-type": "application/json" }, body: one }));
    if (after.modelVersion !== 2) throw new Error(`after the re-deploy the endpoint serves version ${after.modelVersion}`);

    printTable(["target (32 connections, loopback)", "requests/s", "p50 ms", "p99 ms", "failed", "note"], rows);
  } finally {
    for (const p of procs) p.kill("SIGTERM");
    await app.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
