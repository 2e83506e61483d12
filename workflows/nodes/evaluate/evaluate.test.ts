import fs from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { executor as fillMissing } from "../fill-missing/execute";
import { executor as randomForest } from "../random-forest/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { executor as split } from "../train-test-split/execute";
import { executor } from "./execute";
import { classificationMetrics, regressionMetrics } from "./metrics";
import { spec } from "./spec";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";

const { store, cleanup } = tempStore();
afterAll(cleanup);

interface Fixture {
  name: string;
  kind: "classification" | "regression";
  actual: (string | number)[];
  predicted: (string | number)[];
  classes?: (string | number)[];
  proba?: number[][];
  expected: Record<string, number>;
  confusion?: number[][];
}
const fixtures = JSON.parse(fs.readFileSync(new URL("./fixtures/sklearn-metrics.json", import.meta.url), "utf8")) as { sklearn: string; cases: Fixture[] };

/** x decides the class with a wide margin: any forest separates it perfectly. */
function separable(rows: number, offset: number) {
  const lines = ["x,noise,label"];
  for (let i = 0; i < rows; i++) {
    const x = ((i * 7919 + offset) % 1000) / 100 - 5;
    lines.push(`${x < 0 ? x - 1 : x + 1},${(i * 31) % 17},${x < 0 ? "low" : "high"}`);
  }
  return lines.join("\n");
}

describe("evaluate", () => {
  describe(`agrees with scikit-learn ${fixtures.sklearn} to 1e-9`, () => {
    it.each(fixtures.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
      if (c.kind === "classification") {
        const { metrics, charts } = classificationMetrics(c.actual, c.predicted, { classes: c.classes!, rows: c.proba! });
        for (const [k, v] of Object.entries(c.expected)) expect(metrics[k], k).toBeCloseTo(v, 9);
        // No score beyond what scikit-learn defines for these inputs (an undefined AUC is left out, not 0.5).
        expect(Object.keys(metrics).filter((k) => k !== "test_rows").sort()).toEqual(Object.keys(c.expected).sort());
        expect(charts.confusion?.counts).toEqual(c.confusion);
      } else {
        const { metrics } = regressionMetrics(c.actual as number[], c.predicted as number[]);
        for (const [k, v] of Object.entries(c.expected)) expect(metrics[k], k).toBeCloseTo(v, 9);
      }
    });
  });

  it("computes macro F1 by hand on a tiny case", () => {
    const { metrics } = classificationMetrics([1, 1, 0, 0], [1, 0, 0, 0]);
    expect(metrics.accuracy).toBe(0.75);
    // class 1: P=1 R=.5 F1=2/3; class 0: P=2/3 R=1 F1=.8
    expect(metrics.f1_macro).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  });

  it("scores a model on held-out rows: a separable problem scores 1, with curves and a matrix for the run page", async () => {
    const train = await datasetFromCsv(store, "t/sep-train.parquet", separable(300, 0));
    const test = await datasetFromCsv(store, "t/sep-test.parquet", separable(100, 500));
    const model = (await runExecutor(store, randomForest, { target: "label", nEstimators: 10 }, { train })).outputs.model as ModelRef;
    const { metrics, outputs } = await runExecutor(store, executor, {}, { model, test });
    expect(metrics).toMatchObject({ accuracy: 1, f1_macro: 1, roc_auc: 1, average_precision: 1, test_rows: 100 });
    const panels = spec.present!({ metrics: metrics!, outputs });
    expect(panels.map((p) => p.kind)).toEqual(["metrics", "table", "matrix", "curves", "curves", "curves"]);
    const matrix = panels.find((p) => p.kind === "matrix");
    const high = separable(100, 500).split("\n").filter((l) => l.endsWith(",high")).length;
    expect(matrix).toMatchObject({ labels: ["high", "low"], counts: [[high, 0], [0, 100 - high]] });
  });

  it("takes the model the train node just wrote in this process without reading it back, and reads it when it was written again", async () => {
    const train = await datasetFromCsv(store, "t/hand-train.parquet", separable(300, 0));
    const test = await datasetFromCsv(store, "t/hand-test.parquet", separable(100, 500));
    const model = (await runExecutor(store, randomForest, { target: "label", nEstimators: 10 }, { train }, { nodeId: "hand-a" })).outputs.model as ModelRef;
    const reads = vi.spyOn(store, "getBytes");
    const handed = await runExecutor(store, executor, {}, { model, test });
    expect(reads.mock.calls.filter(([uri]) => uri === model.uri)).toHaveLength(0);
    // Once more: nothing left to take (taken once), so the file is read, and scores the same.
    expect((await runExecutor(store, executor, {}, { model, test })).metrics).toEqual(handed.metrics);
    expect(reads.mock.calls.filter(([uri]) => uri === model.uri)).toHaveLength(1);
    // A model trained again on other rows, then its file overwritten by the first model's bytes
    // (a retried activity writes the same key): evaluate scores what the file holds.
    const other = await datasetFromCsv(store, "t/hand-other.parquet", separable(300, 0).replace(/,(high|low)$/gm, (_, c) => (c === "high" ? ",low" : ",high")));
    const flipped = (await runExecutor(store, randomForest, { target: "label", nEstimators: 10 }, { train: other }, { nodeId: "hand-b" })).outputs.model as ModelRef;
    expect(flipped.uri).not.toBe(model.uri);
    await store.putBytes(flipped.uri.slice("artifact:".length), await store.getBytes(model.uri));
    expect((await runExecutor(store, executor, {}, { model: flipped, test })).metrics).toEqual(handed.metrics);
    reads.mockRestore();
  });

  it("replays the steps a test set split off the raw data has not been through", async () => {
    // Split first, clean the train side only: evaluate must fill the test rows' gaps as the endpoint would.
    const lines = ["x,y,label"];
    for (let i = 0; i < 200; i++) lines.push(`${i % 9 === 0 ? "" : i % 50},${i % 3},${i % 50 < 25 ? "a" : "b"}`);
    const raw = await datasetFromCsv(store, "t/ev-raw.parquet", lines.join("\n"), { label: "target" });
    const parts = (await runExecutor(store, split, {}, { dataset: raw })).outputs;
    const cleaned = (await runExecutor(store, fillMissing, { strategy: "mean" }, { dataset: parts.train! })).outputs.dataset as DatasetRef;
    const model = (await runExecutor(store, randomForest, { nEstimators: 10 }, { train: cleaned })).outputs.model as ModelRef;
    const { metrics, outputs } = await runExecutor(store, executor, {}, { model, test: parts.test! });
    expect(metrics!.test_rows).toBe(40);
    const predicted = JSON.parse(new TextDecoder().decode(await store.getBytes((outputs.metrics as { predictionsUri: string }).predictionsUri))) as string[];
    expect(predicted).toHaveLength(40);
    // A test set from another path is refused, naming both paths.
    const other = (await runExecutor(store, fillMissing, { strategy: "median" }, { dataset: parts.test! })).outputs.dataset as DatasetRef;
    await expect(runExecutor(store, executor, {}, { model, test: other })).rejects.toThrow(/went through other steps than the model's training data/);
  });

  it("scores missing numbers (read as NaN, no steps to replay) as the model scores a row that lacks them", async () => {
    // x is missing in every 7th row, train and test alike; the forest sends missing values the way it learnt.
    const csv = (rows: number, offset: number) => {
      const lines = ["x,noise,label"];
      for (let i = 0; i < rows; i++) {
        const x = ((i * 7919 + offset) % 1000) / 100 - 5;
        lines.push(`${(i + offset) % 7 === 0 ? "" : x},${(i * 31) % 17},${(i + offset) % 7 === 0 ? "gap" : x < 0 ? "low" : "high"}`);
      }
      return lines.join("\n");
    };
    const train = await datasetFromCsv(store, "t/nan-train.parquet", csv(400, 0));
    const test = await datasetFromCsv(store, "t/nan-test.parquet", csv(140, 3));
    const model = (await runExecutor(store, randomForest, { target: "label", nEstimators: 10 }, { train }, { nodeId: "nan" })).outputs.model as ModelRef;
    const { outputs, metrics } = await runExecutor(store, executor, {}, { model, test });
    const predicted = JSON.parse(new TextDecoder().decode(await store.getBytes((outputs.metrics as { predictionsUri: string }).predictionsUri))) as string[];
    const rows = csv(140, 3).split("\n").slice(1).map((l) => {
      const [x, noise] = l.split(",");
      return { x: x === "" ? null : Number(x), noise: Number(noise) };
    });
    expect(rows.filter((r) => r.x === null)).toHaveLength(20);
    expect(predicted).toEqual(loadModel(parseModelFile(await store.getBytes(model.uri))).predict(rows));
    // The rows without x are the class "gap": the forest learnt where missing values go.
    expect(predicted.filter((p, i) => rows[i]!.x === null && p === "gap")).toHaveLength(20);
    expect(metrics!.test_rows).toBe(140);
  });

  it("draws residuals for a regressor", () => {
    const { metrics, charts } = regressionMetrics([1, 2, 3, 4], [1, 2, 3, 6]);
    expect(metrics).toMatchObject({ rmse: 1, mae: 0.5, r2: 1 - 4 / 5 });
    expect(charts.residuals).toEqual({ x: [1, 2, 3, 6], y: [0, 0, 0, -2] });
  });
});
