import { afterAll, describe, expect, it } from "vitest";
import type { ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { executor as randomForest } from "../random-forest/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { classificationMetrics, executor, regressionMetrics } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

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

  it("scores a model on held-out rows: a separable problem scores 1", async () => {
    const train = await datasetFromCsv(store, "t/sep-train.parquet", separable(300, 0));
    const test = await datasetFromCsv(store, "t/sep-test.parquet", separable(100, 500));
    const model = (await runExecutor(store, randomForest, { target: "label", nEstimators: 10 }, { train })).outputs.model as ModelRef;
    const { metrics, outputs } = await runExecutor(store, executor, {}, { model, test });
    expect(metrics).toEqual({ accuracy: 1, f1_macro: 1, test_rows: 100 });
    expect(outputs.metrics).toEqual({ kind: "metrics", values: metrics });
  });

  it("shows every score on the run page and the key ones on the node card", () => {
    const [panel] = spec.present!({ metrics: { accuracy: 0.9, f1_macro: 0.8, test_rows: 50 }, outputs: null });
    expect(panel).toEqual({ kind: "metrics", title: "Held-out scores", values: { accuracy: 0.9, f1_macro: 0.8, test_rows: 50 }, headline: ["accuracy", "f1_macro"] });
  });
});
