/** Seeded synthetic datasets shared by every engine in the benchmark (written as raw float64 files). */
import fs from "node:fs";
import path from "node:path";
import { mulberry32 } from "~/lib/random";

export type Task = "binary" | "multiclass" | "regression";
export interface BenchData {
  name: string;
  task: Task;
  n: number;
  nTrain: number;
  F: number;
  /** Column-major features: column f is X[f*n .. f*n+n). */
  X: Float64Array;
  y: Float64Array;
}

export const OUT = path.join(import.meta.dirname, ".out");

/** 20 features, a few informative (interactions and a non-linear term), the rest noise. */
export function generate(task: Task, n: number, F = 20, seed = 2026): BenchData {
  const r = mulberry32(seed + n + task.length);
  const X = new Float64Array(n * F);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) X[f * n + i] = r() * 2 - 1;
    const x = (f: number) => X[f * n + i]!;
    const s = 1.5 * x(0) * x(1) + x(2) - 0.8 * x(3) ** 2 + 0.6 * Math.sin(3 * x(4)) + 0.3 * (r() - 0.5);
    if (task === "binary") y[i] = s > -0.25 ? 1 : 0;
    else if (task === "multiclass") y[i] = s < -0.6 ? 0 : s < 0.2 ? 1 : 2;
    else y[i] = s + 0.5 * x(5);
  }
  return { name: `${task}-${n}`, task, n, nTrain: Math.floor(n * 0.8), F, X, y };
}

export function save(d: BenchData) {
  fs.mkdirSync(OUT, { recursive: true });
  const base = path.join(OUT, d.name);
  fs.writeFileSync(`${base}.X.f64`, Buffer.from(d.X.buffer, d.X.byteOffset, d.X.byteLength));
  fs.writeFileSync(`${base}.y.f64`, Buffer.from(d.y.buffer, d.y.byteOffset, d.y.byteLength));
  fs.writeFileSync(`${base}.json`, JSON.stringify({ name: d.name, task: d.task, n: d.n, nTrain: d.nTrain, F: d.F }));
  return base;
}

export function load(base: string): BenchData {
  const meta = JSON.parse(fs.readFileSync(`${base}.json`, "utf8")) as Omit<BenchData, "X" | "y">;
  const read = (f: string) => {
    const b = fs.readFileSync(f);
    const out = new Float64Array(b.length / 8);
    new Uint8Array(out.buffer).set(b);
    return out;
  };
  return { ...meta, X: read(`${base}.X.f64`), y: read(`${base}.y.f64`) };
}
