/**
 * One engine on one dataset, in a process of its own (so peak RSS is its own). Prints JSON.
 * node --import tsx bench/engine.ts <dataset-base> <histogram|ml-random-forest> <threads> [fanout-processes]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { mergeSlices, sliceRanges, encodeTraining, prepareTraining, trainForest, type FeatureInput, type ForestOptions } from "~/workflows/ml/hist-forest";
import { trainForest as trainMlrf } from "~/workflows/ml/ml-random-forest/forest";
import { encodeForest } from "~/workflows/model/bundle";
import { ForestPredictor } from "~/workflows/model/flat-forest";
import { loadForest as loadMlrf } from "~/workflows/model/ml-random-forest";
import { load, type BenchData } from "./data";

const [base, engine, threadsArg, fanoutArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 1);
const fanout = Number(fanoutArg ?? 0);
const TREES = Number(process.env.BENCH_TREES ?? 100);
const DEPTH = Number(process.env.BENCH_DEPTH ?? 16);

const d: BenchData = load(base!);
const cls = d.task !== "regression";
const trainRows = (f: number) => d.X.subarray(f * d.n, f * d.n + d.nTrain);
const testRow = (i: number) => Array.from({ length: d.F }, (_, f) => d.X[f * d.n + i]!);

function score(pred: number[]) {
  const actual = Array.from(d.y.subarray(d.nTrain));
  if (cls) return pred.filter((p, i) => p === actual[i]).length / actual.length;
  return Math.sqrt(actual.reduce((s, v, i) => s + (v - pred[i]!) ** 2, 0) / actual.length);
}

function timePredict(predictOne: (row: number[]) => number, predictBatch: (rows: number[][]) => number[]) {
  const rows = Array.from({ length: d.n - d.nTrain }, (_, k) => testRow(d.nTrain + k));
  const t0 = performance.now();
  const pred = predictBatch(rows);
  const batchS = (performance.now() - t0) / 1000;
  const samples: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const row = rows[k % rows.length]!;
    const s = performance.now();
    predictOne(row);
    samples.push(performance.now() - s);
  }
  samples.sort((a, b) => a - b);
  return { pred, batchRowsPerS: rows.length / batchS, predictUs: samples[samples.length >> 1]! * 1000 };
}

async function main() {
  const y = Array.from(d.y.subarray(0, d.nTrain));
  const opts: ForestOptions = {
    task: cls ? "classification" : "regression",
    nEstimators: TREES,
    maxDepth: DEPTH,
    minSamplesLeaf: 1,
    maxFeatures: cls ? "sqrt" : "all",
    classWeight: null,
    oobScore: false,
    seed: 42,
  };
  const features: FeatureInput[] = Array.from({ length: d.F }, (_, f) => ({ name: `f${f}`, kind: "numeric", values: trainRows(f) }));
  let trainS: number;
  let modelBytes: number;
  let predictOne: (row: number[]) => number;
  let predictBatch: (rows: number[][]) => number[];

  if (engine === "histogram") {
    const t0 = performance.now();
    let forest;
    if (fanout > 1) {
      // Fan-out as the train node does it: prepare once, slices in separate processes, merge.
      const prepared = prepareTraining(features, y, opts);
      const file = `${base}.training.bin`;
      fs.writeFileSync(file, encodeTraining(prepared));
      const parts = await Promise.all(
        sliceRanges(TREES, fanout).map(({ first, count }, s) => {
          return new Promise<Buffer>((resolve, reject) => {
            const out = `${file}.slice-${s}`;
            const p = spawn(process.execPath, ["--import", "tsx", new URL("./slice.ts", import.meta.url).pathname, file, String(first), String(count), String(threads), out, JSON.stringify(opts)], {
              stdio: "inherit",
            });
            p.once("exit", (code) => (code === 0 ? resolve(fs.readFileSync(out)) : reject(new Error(`slice ${s} exited ${code}`))));
          });
        }),
      );
      forest = mergeSlices(fs.readFileSync(file), opts, parts);
    } else {
      forest = (await trainForest(features, y, opts, { threads })).forest;
    }
    trainS = (performance.now() - t0) / 1000;
    modelBytes = encodeForest(forest).length;
    const p = new ForestPredictor(forest);
    const x = new Float64Array(d.F);
    const acc = new Float64Array(forest.nClasses);
    predictOne = (row) => p.predictEncoded(p.encode(row, x), acc);
    predictBatch = (rows) => rows.map(predictOne);
  } else {
    const X = Array.from({ length: d.nTrain }, (_, i) => Array.from({ length: d.F }, (_, f) => d.X[f * d.n + i]!));
    const t0 = performance.now();
    const trained = trainMlrf(X, y, { task: opts.task, nEstimators: TREES, maxDepth: DEPTH, maxFeatures: 1, seed: 42 });
    trainS = (performance.now() - t0) / 1000;
    modelBytes = JSON.stringify(trained).length;
    const m = loadMlrf(trained);
    predictOne = (row) => m.predict([row])[0]!;
    predictBatch = (rows) => m.predict(rows);
  }
  const { pred, batchRowsPerS, predictUs } = timePredict(predictOne, predictBatch);
  console.log(
    JSON.stringify({ trainS, rssMB: process.resourceUsage().maxRSS / 1024, score: score(pred), predictUs, batchRowsPerS, modelBytes }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
