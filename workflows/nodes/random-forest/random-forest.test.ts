import { afterAll, describe, expect, it } from "vitest";
import type { ModelRef } from "~/lib/pipeline/plan";
import { demoCsv } from "~/lib/templates/demo";
import { tempStore } from "~/workflows/artifacts/testing";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { datasetFromCsv, runExecutor } from "../testing";
import { scoreInThreads } from "~/workflows/ml/hist-forest/pool";
import { autoSlices, executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

describe("random-forest", () => {
  it("ml-random-forest names the column when features have missing values", async () => {
    const ds = await datasetFromCsv(store, "t/rf2.parquet", "a,b,t\n1,,1\n,4,0\n3,6,1\n5,8,0\n");
    await expect(runExecutor(store, executor, { target: "t", nEstimators: 2, engine: "ml-random-forest" }, { train: ds })).rejects.toThrow(
      "feature column 'a' has 1 missing values; add a Fill missing node before training",
    );
  });

  it("keeps the model's own predictions on an evenly spaced sample of its training rows as its reference, with either engine", async () => {
    // 40,002 rows: every second one is in the reference (20,001 rows). y is 1 where x > 0.5.
    const rows = ["x,y"];
    for (let i = 0; i < 40_002; i++) rows.push(`${((i * 7919) % 1000) / 1000},${(i * 7919) % 1000 > 500 ? 1 : 0}`);
    const ds = await datasetFromCsv(store, "t/rf-ref.parquet", rows.join("\n"));
    for (const engine of ["histogram", "ml-random-forest"] as const) {
      const res = await runExecutor(store, executor, { target: "y", task: "classification", nEstimators: 3, maxDepth: 4, engine }, { train: ds });
      const file = parseModelFile(await store.getBytes((res.outputs.model as ModelRef).uri));
      const prediction = file.profile!.prediction;
      // A separable threshold: the predictions split as the sampled rows' labels do (499 of 1,000 values above 0.5).
      if (prediction.kind !== "categorical") throw new Error("a classifier's reference is categorical");
      expect(prediction.counts.reduce((a, b) => a + b, 0)).toBe(20_001);
      expect(Math.abs(prediction.counts[prediction.categories.indexOf("1")]! - 20_001 * 0.499)).toBeLessThan(100);
    }
  });

  it("the histogram engine trains on raw data with missing values and text columns", async () => {
    const rows = ["colour,size,label"];
    for (let i = 0; i < 400; i++) {
      const colour = ["red", "green", "blue"][i % 3]!;
      const size = i % 7 === 0 ? "" : String(i % 10);
      rows.push(`${colour},${size},${colour === "red" || (size !== "" && Number(size) > 6) ? "yes" : "no"}`);
    }
    const ds = await datasetFromCsv(store, "t/rf3.parquet", rows.join("\n"));
    const res = await runExecutor(store, executor, { target: "label", nEstimators: 20, oobScore: true }, { train: ds });
    expect(res.metrics!.oob_accuracy).toBeGreaterThan(0.95);
    const ref = res.outputs.model as ModelRef;
    // The engine routes a missing value at every split, so every input takes null.
    expect(ref.signature).toEqual([
      { name: "colour", type: "string", nullable: true },
      { name: "size", type: "number", nullable: true },
    ]);
    const model = loadModel(parseModelFile(await store.getBytes(ref.uri)));
    // DuckDB reads yes/no as booleans: labels keep their type.
    expect(model.predict([{ colour: "red", size: 1 }, { colour: "blue", size: 9 }, { colour: "green", size: 2 }])).toEqual([true, true, false]);
    expect(model.file.importances!.colour).toBeGreaterThan(0.2);
    // Endpoints use the one-pass path: it must agree with predict and give proper distributions.
    const raw = [{ colour: "red", size: null }, { colour: "green", size: 8 }, { colour: "blue", size: 3 }];
    const both = model.predictProba!(raw);
    expect(both.predictions).toEqual(model.predict(raw));
    for (const p of both.probabilities) expect(Object.values(p).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Evaluate scores columns without row objects: the same predictions and probabilities, in the classes' order.
    const cols = await model.predictColumns!({ colour: raw.map((r) => r.colour), size: raw.map((r) => r.size) }, raw.length);
    expect(cols.predictions).toEqual(both.predictions);
    expect(cols.probabilities).toEqual(both.probabilities.map((p) => model.file.classes!.map((c) => p[String(c)])));
    await expect(model.predictColumns!({ colour: ["red"] }, 1)).rejects.toThrow(/feature 'size'/);
    // Enough rows × trees (100,000 × 20) go to the training threads, in blocks on shared memory: the very same numbers.
    const many = 100_000;
    const big = { colour: Array.from({ length: many }, (_, i) => raw[i % 3]!.colour), size: Array.from({ length: many }, (_, i) => raw[i % 3]!.size) };
    let handed = 0;
    const threads: typeof scoreInThreads = (...args) => (handed++, scoreInThreads(...args));
    const threaded = await model.predictColumns!(big, many, threads);
    expect(handed).toBeGreaterThan(0);
    expect(threaded).toEqual(await model.predictColumns!(big, many));
    expect(threaded.predictions.slice(0, 3)).toEqual(cols.predictions);
  });

  it("fans out into slices and merges into the very same model", async () => {
    const ds = await datasetFromCsv(store, "t/rf4.parquet", demoCsv(300));
    const one = await runExecutor(store, executor, { target: "target", nEstimators: 12, slices: 1, oobScore: true }, { train: ds }, { nodeId: "single" });
    const progress: string[] = [];
    const three = await runExecutor(store, executor, { target: "target", nEstimators: 12, slices: 3, oobScore: true }, { train: ds }, {
      nodeId: "sliced",
      progress: (key, done, total) => progress.push(`${key}:${done}/${total}`),
    });
    expect(one.slices).toBe(1);
    expect(three.slices).toBe(3);
    expect(progress).toContain("slice-2:4/4");
    const a = await store.getBytes((one.outputs.model as ModelRef).uri);
    const b = await store.getBytes((three.outputs.model as ModelRef).uri);
    expect(Buffer.compare(a, b)).toBe(0);
    expect(three.metrics!.oob_accuracy).toBe(one.metrics!.oob_accuracy);
  });

  it("splits a large job into slices automatically only when another worker can take some", async () => {
    let asked = 0;
    const workers = (n: number) => async () => (asked++, n);
    expect(await autoSlices(300_000, 100, workers(1))).toBe(1);
    expect(await autoSlices(300_000, 100, workers(2))).toBe(4);
    expect(await autoSlices(10_000_000, 3, workers(2))).toBe(3); // no more slices than trees
    expect(asked).toBe(3);
    expect(await autoSlices(100_000, 100, workers(3))).toBe(1); // small: not worth the merge
    expect(asked).toBe(3); // and Temporal is not asked for it
  });

  it("shows its scores on the card and its feature importances as bars", () => {
    const panels = spec.present!({
      metrics: { trees: 20, train_seconds: 0.4, oob_accuracy: 0.9, "importance:a": 0.25, "importance:b": 0.75 },
      outputs: null,
    });
    expect(panels).toEqual([
      { kind: "metrics", values: { trees: 20, train_seconds: 0.4, oob_accuracy: 0.9 }, headline: ["trees", "oob_accuracy"] },
      { kind: "bars", title: "Feature importance", format: "percent", items: [{ label: "b", value: 0.75 }, { label: "a", value: 0.25 }] },
    ]);
  });

  it("refits on every row for deployment when asked, after the evaluated model; otherwise deploys the evaluated one", async () => {
    const all = await datasetFromCsv(store, "t/rf-all.parquet", demoCsv(300), { target: "target" });
    const { executor: split } = await import("../train-test-split/execute");
    const { train } = (await runExecutor(store, split, {}, { dataset: all })).outputs;
    const plain = await runExecutor(store, executor, { nEstimators: 8 }, { train: train! }, { nodeId: "plain" });
    expect(plain.outputs.final).toEqual(plain.outputs.model);
    const refit = await runExecutor(store, executor, { nEstimators: 8 }, { train: train!, refit: all }, { nodeId: "refit" });
    const evaluated = refit.outputs.model as ModelRef;
    const final = refit.outputs.final as ModelRef;
    expect(final.uri).not.toBe(evaluated.uri);
    expect(parseModelFile(await store.getBytes(final.uri)).trainedRows).toBe(300);
    expect(parseModelFile(await store.getBytes(evaluated.uri)).trainedRows).toBe(240);
    expect(refit.metrics).toMatchObject({ refit_rows: 300 });
    // The evaluated model is the same one a run without refit trains.
    expect(await store.getBytes(evaluated.uri)).toEqual(await store.getBytes((plain.outputs.model as ModelRef).uri));
  });

  it("refuses to classify a quantity, and leaves raw dates out of the default features", async () => {
    const cols = [
      { name: "price", type: "number" as const, nullable: false, kind: "float" as const, role: "target" as const },
      { name: "built", type: "string" as const, nullable: false, kind: "date" as const },
      { name: "rooms", type: "number" as const, nullable: false, kind: "integer" as const },
    ];
    const errors = spec.infer!({ config: spec.config.parse({}), inputs: { train: cols }, datasetColumns: () => undefined }).errors;
    expect(errors).toEqual([{ path: "task", message: "'price' holds decimal numbers: a classifier would learn one class per value. Set Task to regression (or the column's kind to categorical)" }]);
    const { selectFeatures } = await import("./spec");
    expect(selectFeatures({ features: [], engine: "histogram" }, "price", cols)).toEqual(["rooms"]);
    // Found on the data too: integers with more distinct values than classes ever have.
    const lines = ["x,y", ...Array.from({ length: 300 }, (_, i) => `${i % 7},${i}`)];
    const ds = await datasetFromCsv(store, "t/rf-many.parquet", lines.join("\n"), { y: "target" });
    await expect(runExecutor(store, executor, { nEstimators: 2 }, { train: ds })).rejects.toThrow("target column 'y' has 300 distinct numbers");
  });
});
