/** The data nodes' executors on real DuckDB and Parquet, without Temporal. */
import { afterAll, describe, expect, it } from "vitest";
import { datasetFromCsv, readRows, runExecutor, tempStore } from "../../server/testing/local-executor";
import { demoCsv } from "../../db/seed";
import { loadModel, parseModelFile } from "../ml/model";
import type { DatasetRef, ModelRef } from "../plan";
import { executeDeriveColumn } from "./derive-column/execute";
import { classificationMetrics, executeEvaluate, regressionMetrics } from "./evaluate/execute";
import { nodeSpecs } from ".";
import { executeFillMissing } from "./fill-missing/execute";
import { randomForestExecutor } from "./random-forest/execute";
import { executeTrainTestSplit, testIndices } from "./train-test-split/execute";

const { store, cleanup } = tempStore();
afterAll(cleanup);
const cfg = <T extends keyof typeof nodeSpecs>(type: T, c: Record<string, unknown> = {}) => nodeSpecs[type].config.parse(c) as never;

const csv = "a,b,label\n1,,x\n,4,y\n3,6,x\n5,8,y\n";

describe("fill-missing", () => {
  it("fills with a constant and records the fitted step", async () => {
    const src = await datasetFromCsv(store, "t/fill1.parquet", csv);
    const { outputs } = await runExecutor(store, executeFillMissing, cfg("fill-missing", { value: -1 }), { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([
      { a: 1, b: -1, label: "x" },
      { a: -1, b: 4, label: "y" },
      { a: 3, b: 6, label: "x" },
      { a: 5, b: 8, label: "y" },
    ]);
    expect(out.columns.every((c) => !c.nullable)).toBe(true);
    expect(out.lineage.steps).toEqual([{ kind: "fill", values: { a: -1, b: -1 } }]);
  });

  it("fills with the mean fitted on this data", async () => {
    const src = await datasetFromCsv(store, "t/fill2.parquet", csv);
    const { outputs } = await runExecutor(store, executeFillMissing, cfg("fill-missing", { strategy: "mean", columns: ["a"] }), { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.a)).toEqual([1, 3, 3, 5]);
    expect(out.lineage.steps).toEqual([{ kind: "fill", values: { a: 3 } }]);
    expect(out.columns.find((c) => c.name === "b")?.nullable).toBe(true);
  });
});

describe("derive-column", () => {
  it("adds the computed column and records the expression", async () => {
    const src = await datasetFromCsv(store, "t/derive.parquet", csv);
    const { outputs } = await runExecutor(store, executeDeriveColumn, cfg("derive-column", { name: "ab", expression: "a * b" }), { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.ab)).toEqual([null, null, 18, 40]);
    expect(out.lineage.steps).toEqual([{ kind: "derive", name: "ab", expression: "a * b" }]);
  });
});

describe("train-test-split", () => {
  it("draws held-out rows deterministically by seed", () => {
    const a = testIndices(1000, 0.2, 42);
    expect(a).toHaveLength(200);
    expect(new Set(a).size).toBe(200);
    expect([...testIndices(1000, 0.2, 42)]).toEqual([...a]);
    expect([...testIndices(1000, 0.2, 43)]).not.toEqual([...a]);
  });

  it("partitions the rows into disjoint train and test sets", async () => {
    const src = await datasetFromCsv(store, "t/split.parquet", demoCsv(100));
    const { outputs } = await runExecutor(store, executeTrainTestSplit, cfg("train-test-split", { testFraction: 0.25, seed: 1 }), { dataset: src });
    const train = await readRows(store, outputs.train!);
    const test = await readRows(store, outputs.test!);
    expect(train).toHaveLength(75);
    expect(test).toHaveLength(25);
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    const all = new Set((await readRows(store, src)).map(key));
    const seen = new Set([...train, ...test].map(key));
    expect(seen).toEqual(all);
  });

  it("refuses a split that leaves a side empty", async () => {
    const src = await datasetFromCsv(store, "t/split2.parquet", "a\n1\n2\n");
    await expect(runExecutor(store, executeTrainTestSplit, cfg("train-test-split", { testFraction: 0.1 }), { dataset: src })).rejects.toThrow(
      /leaves an empty train or test set for 2 rows/,
    );
  });
});

describe("random-forest + evaluate", () => {
  it("trains a classifier whose model file replays cleaning and features on raw rows", async () => {
    let ds = await datasetFromCsv(store, "t/rf.parquet", demoCsv(300));
    ds = (await runExecutor(store, executeFillMissing, cfg("fill-missing"), { dataset: ds })).outputs.dataset as DatasetRef;
    ds = (await runExecutor(store, executeDeriveColumn, cfg("derive-column", { expression: "feature_1 * feature_2" }), { dataset: ds })).outputs.dataset as DatasetRef;
    const split = (await runExecutor(store, executeTrainTestSplit, cfg("train-test-split"), { dataset: ds })).outputs;
    const { outputs } = await runExecutor(store, randomForestExecutor, cfg("random-forest", { nEstimators: 20 }), { train: split.train! });
    const modelRef = outputs.model as ModelRef;
    expect(modelRef.features).toEqual(["feature_1", "feature_2", "feature_3", "feature_4", "new_feature"]);

    const evaluated = await runExecutor(store, executeEvaluate, cfg("evaluate"), { model: modelRef, test: split.test! });
    expect(evaluated.metrics!.accuracy).toBeGreaterThan(0.7);
    expect(evaluated.metrics!.test_rows).toBe(60);

    const model = loadModel(parseModelFile(await store.getBytes(modelRef.uri)));
    const [row] = model.transform([{ feature_1: null, feature_2: 2, feature_3: 1, feature_4: 1 }]);
    expect(row).toMatchObject({ feature_1: 0, new_feature: 0 });
    const preds = model.predict([
      { feature_1: 2, feature_2: 2, feature_3: 2, feature_4: 1 },
      { feature_1: 2, feature_2: -2, feature_3: -2, feature_4: 1 },
    ]);
    expect(preds).toEqual([1, 0]);
  });

  it("ml-random-forest names the column when features have missing values", async () => {
    const ds = await datasetFromCsv(store, "t/rf2.parquet", csv.replace("label", "t").replace(/x/g, "1").replace(/y/g, "0"));
    await expect(
      runExecutor(store, randomForestExecutor, cfg("random-forest", { target: "t", nEstimators: 2, engine: "ml-random-forest" }), { train: ds }),
    ).rejects.toThrow("feature column 'a' has 1 missing values; add a Fill missing node before training");
  });

  it("the histogram engine trains on raw data with missing values and text columns", async () => {
    const rows = ["colour,size,label"];
    for (let i = 0; i < 400; i++) {
      const colour = ["red", "green", "blue"][i % 3]!;
      const size = i % 7 === 0 ? "" : String(i % 10);
      rows.push(`${colour},${size},${colour === "red" || (size !== "" && Number(size) > 6) ? "yes" : "no"}`);
    }
    const ds = await datasetFromCsv(store, "t/rf3.parquet", rows.join("\n"));
    const res = await runExecutor(store, randomForestExecutor, cfg("random-forest", { target: "label", nEstimators: 20, oobScore: true }), { train: ds });
    expect(res.metrics!.oob_accuracy).toBeGreaterThan(0.95);
    const model = loadModel(parseModelFile(await store.getBytes((res.outputs.model as ModelRef).uri)));
    // DuckDB reads yes/no as booleans: labels keep their type.
    expect(model.predict([{ colour: "red", size: 1 }, { colour: "blue", size: 9 }, { colour: "green", size: 2 }])).toEqual([true, true, false]);
    expect(model.file.importances!.colour).toBeGreaterThan(0.2);
    // Endpoints use the one-pass path: it must agree with predict and give proper distributions.
    const raw = [{ colour: "red", size: null }, { colour: "green", size: 8 }, { colour: "blue", size: 3 }];
    const both = model.predictProba!(raw);
    expect(both.predictions).toEqual(model.predict(raw));
    for (const p of both.probabilities) expect(Object.values(p).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("fans out into slices and merges into the very same model", async () => {
    const ds = await datasetFromCsv(store, "t/rf4.parquet", demoCsv(300));
    const one = await runExecutor(store, randomForestExecutor, cfg("random-forest", { nEstimators: 12, slices: 1, oobScore: true }), { train: ds }, "single");
    const progress: string[] = [];
    const three = await runExecutor(
      store,
      randomForestExecutor,
      cfg("random-forest", { nEstimators: 12, slices: 3, oobScore: true }),
      { train: ds },
      "sliced",
      (key, done, total) => progress.push(`${key}:${done}/${total}`),
    );
    expect(one.slices).toBe(1);
    expect(three.slices).toBe(3);
    expect(progress).toContain("slice-2:4/4");
    const a = await store.getBytes((one.outputs.model as ModelRef).uri);
    const b = await store.getBytes((three.outputs.model as ModelRef).uri);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(three.metrics!.oob_accuracy).toBe(one.metrics!.oob_accuracy);
  });
});

describe("metrics", () => {
  it("computes accuracy and macro F1", () => {
    const m = classificationMetrics([1, 1, 0, 0], [1, 0, 0, 0]);
    expect(m.accuracy).toBe(0.75);
    // class 1: P=1 R=.5 F1=2/3; class 0: P=2/3 R=1 F1=.8
    expect(m.f1_macro).toBeCloseTo((2 / 3 + 0.8) / 2, 10);
  });
  it("computes RMSE, MAE and R²", () => {
    const m = regressionMetrics([1, 2, 3, 4], [1, 2, 3, 6]);
    expect(m.rmse).toBeCloseTo(1, 10);
    expect(m.mae).toBeCloseTo(0.5, 10);
    expect(m.r2).toBeCloseTo(1 - 4 / 5, 10);
  });
});
