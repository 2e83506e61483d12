import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { parquet, withDuck } from "~/workflows/data/duck";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { executor as fillMissing } from "../fill-missing/execute";
import { executor as randomForest } from "../random-forest/execute";
import { executor as selectColumns } from "../select-columns/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { executor } from "./execute";

const { store, cleanup } = tempStore();
afterAll(cleanup);

/** x and a colour decide the label; x is missing now and then (the model fills it as trained). */
function table(rows: number, offset: number) {
  const lines = ["id,x,colour,label"];
  for (let i = 0; i < rows; i++) {
    const x = (i * 37 + offset) % 100;
    const colour = ["red", "green", "blue"][(i + offset) % 3]!;
    lines.push(`${i + offset},${i % 11 === 0 ? "" : x},${colour},${x < 40 || colour === "red" ? "yes" : "no"}`);
  }
  return lines.join("\n");
}

async function readAll(ref: DatasetRef) {
  const file = await store.localPath(ref.uri);
  return withDuck(async (conn) => (await conn.runAndReadAll(`SELECT * FROM ${parquet(file)}`)).getRowObjectsJS());
}

let model: ModelRef;
let filled: DatasetRef;
async function trained() {
  if (model) return model;
  const raw = await datasetFromCsv(store, "bs/train.parquet", table(300, 0), { label: "target", id: "id" });
  filled = (await runExecutor(store, fillMissing, { strategy: "mean" }, { dataset: raw })).outputs.dataset as DatasetRef;
  model = (await runExecutor(store, randomForest, { nEstimators: 15 }, { train: filled })).outputs.model as ModelRef;
  return model;
}

describe("batch-score", () => {
  it("scores raw rows without the target as the endpoint would: its fitted steps replayed, one row out per row in, in order", async () => {
    const m = await trained();
    const scoring = await datasetFromCsv(store, "bs/new.parquet", table(57, 1000).split("\n").map((l) => l.split(",").slice(0, 3).join(",")).join("\n"));
    const res = await runExecutor(store, executor, {}, { model: m, dataset: scoring }, { nodeId: "score" });
    const out = res.outputs.scored as DatasetRef;
    expect(out.rows).toBe(57);
    expect(out.columns.map((c) => c.name)).toEqual(["id", "x", "colour", "prediction", "probability_false", "probability_true", "scoring_error"]);
    expect(res.metrics).toEqual({ scored_rows: 57, unscored_rows: 0 });

    const rows = await readAll(out);
    const input = await readAll(scoring);
    // The input's columns untouched and in order.
    expect(rows.map((r) => [r.id, r.x, r.colour])).toEqual(input.map((r) => [r.id, r.x, r.colour]));
    // Serving's replay on the same raw rows: the mean fill of x happens in the model, not in the data.
    expect(input.some((r) => r.x === null)).toBe(true);
    const served = loadModel(parseModelFile(await store.getBytes(m.uri)));
    const raw = input.map((r) => ({ x: r.x === null ? null : Number(r.x), colour: r.colour }));
    const expected = served.predictProba!(raw);
    expect(rows.map((r) => r.prediction)).toEqual(expected.predictions);
    expect(rows.map((r) => r.probability_true)).toEqual(expected.probabilities.map((p) => p.true));
    expect(rows.map((r) => r.probability_false)).toEqual(expected.probabilities.map((p) => p.false));
    expect(rows.every((r) => r.scoring_error === null)).toBe(true);
    // And the model is right on most of these new rows.
    const truth = table(57, 1000).split("\n").slice(1).map((l) => l.endsWith("yes"));
    expect(rows.filter((r, i) => r.prediction === truth[i]).length).toBeGreaterThan(50);
  });

  it("without probabilities, adds the prediction alone", async () => {
    const scoring = await datasetFromCsv(store, "bs/new2.parquet", table(5, 7));
    const res = await runExecutor(store, executor, { probabilities: false }, { model: await trained(), dataset: scoring });
    expect((res.outputs.scored as DatasetRef).columns.map((c) => c.name)).toEqual(["id", "x", "colour", "label", "prediction", "scoring_error"]);
  });

  it("names a feature column the rows to score lack", async () => {
    const scoring = await datasetFromCsv(store, "bs/no-colour.parquet", "id,x\n1,5\n2,80\n");
    await expect(runExecutor(store, executor, {}, { model: await trained(), dataset: scoring })).rejects.toThrow(
      "column 'colour' (string) the model needs is not in dataset 'rows to score'",
    );
  });

  it("scores rows already through the model's steps with the rest of them, and refuses rows from another path", async () => {
    const m = await trained();
    // The training rows themselves: through every step already, so none is replayed.
    const again = (await runExecutor(store, executor, {}, { model: m, dataset: filled })).outputs.scored as DatasetRef;
    const rows = await readAll(again);
    expect(rows).toHaveLength(300);
    expect(rows.some((r) => r.x === null)).toBe(false);
    const served = loadModel(parseModelFile(await store.getBytes(m.uri)));
    expect(rows.map((r) => r.prediction)).toEqual(served.predictPrepared(rows.map((r) => ({ x: r.x, colour: r.colour }))));
    const raw = await datasetFromCsv(store, "bs/raw3.parquet", table(20, 300), { label: "target", id: "id" });
    const ownFill = (await runExecutor(store, fillMissing, { strategy: "mean" }, { dataset: raw })).outputs.dataset as DatasetRef;
    // Filled with this table's own mean: not the model's step.
    await expect(runExecutor(store, executor, {}, { model: m, dataset: ownFill })).rejects.toThrow(/the rows to score went through other steps than the model's training data \(fill-missing vs fill-missing\)/);
    // A renaming select is a step of its own, which the model never took.
    const renamed = (await runExecutor(store, selectColumns, { columns: ["x", "colour"], rename: { x: "x2" } }, { dataset: raw })).outputs.dataset as DatasetRef;
    await expect(runExecutor(store, executor, {}, { model: m, dataset: renamed })).rejects.toThrow(/other steps/);
  });

  it("a regressor's prediction is a number, with no probability columns", async () => {
    const lines = ["x,y"];
    for (let i = 0; i < 120; i++) lines.push(`${i % 30},${(i % 30) * 2}`);
    const train = await datasetFromCsv(store, "bs/reg.parquet", lines.join("\n"));
    const reg = (await runExecutor(store, randomForest, { task: "regression", target: "y", nEstimators: 10 }, { train })).outputs.model as ModelRef;
    const scoring = await datasetFromCsv(store, "bs/reg-new.parquet", "x\n3\n27\n");
    const res = await runExecutor(store, executor, {}, { model: reg, dataset: scoring });
    const out = res.outputs.scored as DatasetRef;
    expect(out.columns.map((c) => [c.name, c.type])).toEqual([
      ["x", "number"],
      ["prediction", "number"],
      ["scoring_error", "string"],
    ]);
    const served = loadModel(parseModelFile(await store.getBytes(reg.uri)));
    expect((await readAll(out)).map((r) => r.prediction)).toEqual(served.predict([{ x: 3 }, { x: 27 }]));
  });
});
