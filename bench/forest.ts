/**
 * Random forest benchmark: Millrace's histogram engine (1 and 2 threads, and fanned out over
 * 2 processes) against ml-random-forest and scikit-learn on the same generated data.
 * `npm run bench` — BENCH_SIZES=1000,20000 for a quick run; BENCH_TREES, BENCH_DEPTH.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { generate, OUT, save, type Task } from "./data";

const sizes = (process.env.BENCH_SIZES ?? "1000,20000,100000,1000000").split(",").map(Number);
const TREES = process.env.BENCH_TREES ?? "100";
const DEPTH = process.env.BENCH_DEPTH ?? "16";
const ML_RF_MAX_ROWS = 2000; // ml-random-forest grows ~n^2.2: beyond this it does not finish within 2 minutes

interface Result {
  trainS: number;
  rssMB: number;
  score: number;
  predictUs: number;
  batchRowsPerS: number;
  modelBytes: number;
}

function sklearnStatus(): string | null {
  const r = spawnSync("python3", ["-c", "import sklearn; print(sklearn.__version__)"], { encoding: "utf8" });
  if (r.error) return null;
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd: string, args: string[]): Result | string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24, env: { ...process.env, BENCH_TREES: TREES, BENCH_DEPTH: DEPTH } });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Result;
  } catch {
    return `failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ").slice(0, 200)}`;
  }
}

const engine = (base: string, name: string, threads: number, fanout = 0) =>
  run(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "engine.ts"), base, name, String(threads), String(fanout)]);

const rows: string[][] = [];
const header = ["dataset", "engine", "train s", "vs sklearn", "peak RSS MB", "holdout", "1-row predict µs", "batch rows/s", "model MB"];

function add(dataset: string, task: Task, name: string, r: Result | string, sk?: Result | string) {
  if (typeof r === "string") return rows.push([dataset, name, r, "", "", "", "", "", ""]);
  const ratio = sk && typeof sk !== "string" ? `${(r.trainS / sk.trainS).toFixed(2)}×` : "";
  const metric = task === "regression" ? `RMSE ${r.score.toFixed(4)}` : `acc ${(100 * r.score).toFixed(2)}%`;
  rows.push([
    dataset,
    name,
    r.trainS.toFixed(2),
    ratio,
    r.rssMB.toFixed(0),
    metric,
    r.predictUs.toFixed(1),
    Math.round(r.batchRowsPerS).toLocaleString("en"),
    (r.modelBytes / 1e6).toFixed(1),
  ]);
}

function print() {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

const sk = sklearnStatus();
console.log(`trees ${TREES}, max depth ${DEPTH}, 20 features, 80/20 holdout; scikit-learn: ${sk ?? "not installed (pip install scikit-learn) — its rows are skipped"}`);
let fanoutNote = "";
for (const n of sizes) {
  const tasks: Task[] = n >= 1_000_000 ? ["binary"] : ["binary", "multiclass", "regression"];
  for (const task of tasks) {
    const data = generate(task, n);
    const base = save(data);
    const label = `${task} ${n.toLocaleString("en")}`;
    const skRes = sk ? run("python3", [path.join(import.meta.dirname, "sklearn_baseline.py"), base, "-1", TREES, DEPTH]) : undefined;
    const one = engine(base, "histogram", 1);
    const two = engine(base, "histogram", 2);
    add(label, task, "millrace histogram, 1 thread", one, skRes);
    add(label, task, "millrace histogram, 2 threads", two, skRes);
    if (n >= 1_000_000) {
      const fan = engine(base, "histogram", 1, 2);
      add(label, task, "millrace, 2 processes × 1 thread", fan, skRes);
      if (typeof fan !== "string" && typeof one !== "string") fanoutNote = `fan-out speed-up on ${label}: ${(one.trainS / fan.trainS).toFixed(2)}× (1 process ${one.trainS.toFixed(1)} s → 2 processes ${fan.trainS.toFixed(1)} s)`;
    }
    if (n <= ML_RF_MAX_ROWS) add(label, task, "ml-random-forest", engine(base, "ml-random-forest", 1), skRes);
    else rows.push([label, "ml-random-forest", "skipped (> 2 min)", "", "", "", "", "", ""]);
    if (skRes) add(label, task, `scikit-learn ${sk} (n_jobs=-1)`, skRes);
    for (const f of fs.readdirSync(OUT)) if (f.startsWith(data.name + ".")) fs.rmSync(path.join(OUT, f));
  }
}
print();
if (fanoutNote) console.log(`\n${fanoutNote}`);

