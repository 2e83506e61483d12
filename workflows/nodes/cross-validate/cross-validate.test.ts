import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { demoCsv } from "~/lib/templates/demo";
import { tempStore } from "~/workflows/artifacts/testing";
import { parseModelFile, type ModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { executor as forest } from "../random-forest/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { assignFolds, chooseCandidate, executor } from "./execute";
import { candidateGrid, spec, type CvReport } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const lines = (csv: string) => csv.trimEnd().split("\n");

/**
 * A candidate's fold scores computed another way: for each fold, the random forest node itself
 * trains on the other folds' rows (written as their own dataset), its model file predicts the
 * fold's rows, and the score is counted by hand.
 */
async function handScores(csv: string, target: string, fold: Uint8Array, k: number, settings: Record<string, unknown>, score: (actual: number[], predicted: number[]) => number) {
  const [header, ...rows] = lines(csv);
  const names = header!.split(",");
  const t = names.indexOf(target);
  const out: number[] = [];
  for (let f = 0; f < k; f++) {
    const train = rows.filter((_, i) => fold[i] !== f);
    const test = rows.filter((_, i) => fold[i] === f);
    const ds = await datasetFromCsv(store, `hand/${f}-${JSON.stringify(settings)}.parquet`, [header, ...train].join("\n"));
    const res = await runExecutor(store, forest, { target, slices: 1, seed: 42, ...settings }, { train: ds }, { nodeId: `hand-${f}` });
    const model = loadModel(parseModelFile(await store.getBytes((res.outputs.model as ModelRef).uri)));
    const asRow = (line: string) => {
      const cells = line.split(",");
      return Object.fromEntries(names.map((n, j) => [n, cells[j] === "" ? null : Number(cells[j])]).filter(([n]) => n !== target));
    };
    const predicted = model.predict(test.map(asRow)) as number[];
    out.push(score(test.map((l) => Number(l.split(",")[t])), predicted));
  }
  return out;
}

const accuracy = (a: number[], p: number[]) => a.filter((v, i) => v === p[i]).length / a.length;
const rmse = (a: number[], p: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - p[i]!) ** 2, 0) / a.length);
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

describe("cross-validate", () => {
  it("deals stratified folds: each class spread as evenly as it can be, the same for a seed", () => {
    const labels = [...Array(10).fill("a"), ...Array(7).fill("b"), ...Array(3).fill("c")];
    const fold = assignFolds(labels.length, 3, 1, labels);
    for (const c of ["a", "b", "c"]) {
      const per = [0, 1, 2].map((f) => labels.filter((l, i) => l === c && fold[i] === f).length);
      expect(Math.max(...per) - Math.min(...per), c).toBeLessThanOrEqual(1);
      expect(per.reduce((s, v) => s + v, 0)).toBe(labels.filter((l) => l === c).length);
    }
    const sizes = [0, 1, 2].map((f) => fold.filter((v) => v === f).length);
    expect(sizes.sort()).toEqual([6, 7, 7]);
    expect(assignFolds(labels.length, 3, 1, labels)).toEqual(fold);
    expect(assignFolds(labels.length, 3, 2, labels)).not.toEqual(fold);
    // Without labels: every row dealt, folds of 7, 7 and 6.
    expect([0, 1, 2].map((f) => assignFolds(20, 3, 1).filter((v) => v === f).length)).toEqual([7, 7, 6]);
  });

  it("keeps the best mean, the earlier candidate on a tie, the lowest for RMSE", () => {
    expect(chooseCandidate([0.8, 0.9, 0.9], "accuracy")).toBe(1);
    expect(chooseCandidate([0.5, 0.5], "f1_macro")).toBe(0);
    expect(chooseCandidate([3, 2, 2, 4], "rmse")).toBe(1);
  });

  it("scores each candidate on every fold as the forest scores it, chooses the best by hand, and refits it on every row", async () => {
    // The target follows feature_1 × feature_2: a stump (depth 1) cannot learn it, deeper trees can.
    const csv = demoCsv(240);
    const ds = await datasetFromCsv(store, "cv/demo.parquet", csv);
    const grid = { nEstimators: [15], maxDepth: [1, 0], minSamplesLeaf: [1], maxFeatures: ["all"] };
    const log: { message: string }[] = [];
    const progress: string[] = [];
    const res = await runExecutor(store, executor, { target: "target", folds: 3, ...grid }, { train: ds }, { nodeId: "cv", log, progress: (k, d, t) => progress.push(`${k}:${d}/${t}`) });
    const scores = res.outputs.scores;
    if (scores?.kind !== "metrics") throw new Error("no scores");
    const report = scores.report as CvReport;
    expect(report.metric).toBe("accuracy");
    expect(report.stratified).toBe(true);
    expect(report.candidates.map((c) => [c.maxDepth, c.folds.length])).toEqual([
      [1, 3],
      [0, 3],
    ]);

    const labels = lines(csv).slice(1).map((l) => l.split(",")[4]!);
    const fold = assignFolds(240, 3, 42, labels.map(Number));
    const byHand: number[][] = [];
    for (const c of candidateGrid(grid)) byHand.push(await handScores(csv, "target", fold, 3, c, accuracy));
    report.candidates.forEach((c, i) => {
      for (let f = 0; f < 3; f++) expect(c.folds[f], `candidate ${i} fold ${f}`).toBeCloseTo(byHand[i]![f]!, 12);
      expect(c.mean).toBeCloseTo(mean(byHand[i]!), 12);
      expect(c.std).toBeCloseTo(Math.sqrt(mean(byHand[i]!.map((v) => (v - mean(byHand[i]!)) ** 2))), 12);
    });
    const handChoice = mean(byHand[1]!) > mean(byHand[0]!) ? 1 : 0;
    expect(handChoice).toBe(1);
    expect(mean(byHand[1]!) - mean(byHand[0]!)).toBeGreaterThan(0.02);
    expect(report.chosen).toBe(handChoice);
    expect(res.metrics).toMatchObject({ cv_accuracy: mean(byHand[1]!), candidates: 2, folds: 3, chosen: 2, trees: 15 });
    expect(scores.values).toEqual({ cv_accuracy: report.candidates[1]!.mean, cv_accuracy_std: report.candidates[1]!.std });
    // Progress: every fold of every candidate, then the refit's trees.
    expect(progress.filter((p) => p.startsWith("folds:"))).toEqual(["folds:1/6", "folds:2/6", "folds:3/6", "folds:4/6", "folds:5/6", "folds:6/6"]);
    expect(progress.at(-1)).toBe("trees:15/15");
    expect(log[0]!.message).toBe("scoring 2 candidates by accuracy over 3 stratified folds");

    // The model is the random forest node's, trained on every row with the chosen settings.
    const direct = await runExecutor(store, forest, { target: "target", slices: 1, seed: 42, nEstimators: 15, maxDepth: 0, minSamplesLeaf: 1, maxFeatures: "all" }, { train: ds }, { nodeId: "direct" });
    const mine = parseModelFile(await store.getBytes((res.outputs.model as ModelRef).uri)) as ModelFile & { engine: "histogram" };
    const theirs = parseModelFile(await store.getBytes((direct.outputs.model as ModelRef).uri)) as ModelFile & { engine: "histogram" };
    expect(mine.flat).toEqual(theirs.flat);
    expect(mine.profile).toEqual(theirs.profile);
    expect(res.outputs.model).toMatchObject({ kind: "model", task: "classification", target: "target" });

    // The run page: a table with one row per candidate, the chosen one marked.
    const panels = spec.present!({ metrics: res.metrics!, outputs: res.outputs });
    const table = panels.find((p) => p.kind === "table");
    if (table?.kind !== "table") throw new Error("no table");
    expect(table.columns).toEqual(["", "trees", "max depth", "min rows per leaf", "features per split", "mean", "std", "fold 1", "fold 2", "fold 3"]);
    expect(table.rows.map((r) => r.slice(0, 3))).toEqual([
      ["", 15, 1],
      ["chosen", 15, "unlimited"],
    ]);
    expect(panels[0]).toMatchObject({ kind: "metrics", headline: ["cv_accuracy"] });
  });

  it("selects a regressor by the lowest RMSE, folds dealt without strata", async () => {
    const csv = lines(demoCsv(150)).map((l, i) => {
      if (i === 0) return "a,b,c,d,y";
      const [a, b, c, d] = l.split(",").map(Number);
      return [a, b, c, d, (Number.isNaN(a!) ? 0 : a!) * 3 + (d ?? 0)].map((v) => (v === undefined || Number.isNaN(v) ? "" : String(v))).join(",");
    }).join("\n");
    const ds = await datasetFromCsv(store, "cv/reg.parquet", csv);
    const grid = { nEstimators: [10], maxDepth: [2, 0], minSamplesLeaf: [1], maxFeatures: ["all"] };
    const res = await runExecutor(store, executor, { task: "regression", target: "y", folds: 3, metric: "rmse", ...grid }, { train: ds }, { nodeId: "cv-reg" });
    const report = (res.outputs.scores as { report: CvReport }).report;
    expect(report.stratified).toBe(false);
    const fold = assignFolds(150, 3, 42);
    const byHand: number[][] = [];
    for (const c of candidateGrid(grid)) byHand.push(await handScores(csv, "y", fold, 3, { ...c, task: "regression" }, rmse));
    report.candidates.forEach((c, i) => c.folds.forEach((v, f) => expect(v).toBeCloseTo(byHand[i]![f]!, 9)));
    const handChoice = mean(byHand[1]!) < mean(byHand[0]!) ? 1 : 0;
    expect(report.chosen).toBe(handChoice);
    expect(res.metrics!.cv_rmse).toBeCloseTo(mean(byHand[handChoice]!), 9);
  });

  describe("refuses bad settings, naming the field", () => {
    let ds: DatasetRef;
    const run = (config: Record<string, unknown>, input?: DatasetRef) => runExecutor(store, executor, { folds: 3, nEstimators: [5], maxDepth: [0], minSamplesLeaf: [1], ...config }, { train: input ?? ds });

    it("an unknown target column", async () => {
      ds = await datasetFromCsv(store, "cv/small.parquet", "x,label\n" + Array.from({ length: 12 }, (_, i) => `${i},${i % 3 === 0 ? "a" : "b"}`).join("\n"));
      await expect(run({ target: "nope" })).rejects.toThrow("Target column: column 'nope' is not in the input");
    });
    it("more folds than rows of the smallest class", async () => {
      await expect(run({ target: "label", folds: 5 })).rejects.toThrow("Folds (k): 5 folds need 5 rows of every class, and class 'a' of 'label' has 4; lower Folds (k) to 4 or less");
    });
    it("too many candidates × folds", async () => {
      await expect(run({ target: "label", nEstimators: [5, 10, 20, 40, 80], maxDepth: [1, 2, 3, 4, 0], minSamplesLeaf: [1, 2] })).rejects.toThrow(
        "Trees: 50 candidates × 3 folds = 150 forests to grow; at most 100",
      );
    });
    it("a single class", async () => {
      const one = await datasetFromCsv(store, "cv/one.parquet", "x,label\n" + Array.from({ length: 9 }, (_, i) => `${i},a`).join("\n"));
      await expect(run({ target: "label" }, one)).rejects.toThrow("target column 'label' has a single class");
    });
    it("a metric of the other task", async () => {
      await expect(run({ target: "label", metric: "rmse" })).rejects.toThrow("Select by: rmse scores regressions");
    });
    it("the canvas shows the same problems on the fields", () => {
      const cols = ds.columns;
      const errors = spec.infer!({ config: spec.config.parse({ target: "nope", metric: "r2", nEstimators: ["5", "10", "20", "40", "80"], maxDepth: [1, 2, 3, 4, 0], minSamplesLeaf: [1, 2] }), inputs: { train: cols }, datasetColumns: () => undefined }).errors;
      expect(errors?.map((e) => e.path)).toEqual(["target", "metric", "nEstimators"]);
    });
  });
});

describe("cross-validate settings", () => {
  it("takes the inspector's comma-separated text as numbers, and says which list holds a bad candidate", () => {
    expect(spec.config.parse({ nEstimators: ["50", "200"], maxDepth: ["0"] })).toMatchObject({ nEstimators: [50, 200], maxDepth: [0], minSamplesLeaf: [5, 1] });
    const bad = spec.config.safeParse({ nEstimators: ["50", "lots"], minSamplesLeaf: [] });
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["nEstimators.1", "Trees: each candidate must be a whole number from 1 to 2000"],
      ["minSamplesLeaf", "Min rows per leaf: list at least one candidate"],
    ]);
  });
});
