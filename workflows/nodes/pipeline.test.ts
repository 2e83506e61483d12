/** The data nodes chained as in the demo, without Temporal: the model replays every fitted step. */
import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { demoCsv } from "~/lib/templates/demo";
import { tempStore } from "~/workflows/artifacts/testing";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { executor as deriveColumn } from "./derive-column/execute";
import { executor as evaluate } from "./evaluate/execute";
import { executor as fillMissing } from "./fill-missing/execute";
import { executor as randomForest } from "./random-forest/execute";
import { executor as trainTestSplit } from "./train-test-split/execute";
import { datasetFromCsv, readRows, runExecutor } from "./testing";

const { store, cleanup } = tempStore();
afterAll(cleanup);

describe("demo chain", () => {
  it("trains a classifier whose model file replays cleaning and features on raw rows", async () => {
    let ds = await datasetFromCsv(store, "t/rf.parquet", demoCsv(300), { target: "target" });
    ds = (await runExecutor(store, fillMissing, {}, { dataset: ds })).outputs.dataset as DatasetRef;
    ds = (await runExecutor(store, deriveColumn, { expression: "feature_1 * feature_2" }, { dataset: ds })).outputs.dataset as DatasetRef;
    const split = (await runExecutor(store, trainTestSplit, {}, { dataset: ds })).outputs;
    const { outputs } = await runExecutor(store, randomForest, { nEstimators: 20 }, { train: split.train! });
    const modelRef = outputs.model as ModelRef;
    expect(modelRef.features).toEqual(["feature_1", "feature_2", "feature_3", "feature_4", "new_feature"]);

    const evaluated = await runExecutor(store, evaluate, {}, { model: modelRef, test: split.test! });
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

    // Replaying raw test rows gives exactly what evaluate scored on the transformed rows.
    const rawTest = await readRows(store, split.test!);
    const transformedTest = rawTest.map(({ target: _t, ...r }) => r);
    const scored = model.predictPrepared(transformedTest);
    const replayed = model.predict(transformedTest.map(({ new_feature: _n, ...r }) => r));
    expect(replayed).toEqual(scored);
  });
});
