/** The feature nodes chained before a forest: the model serves raw request rows through their replays. */
import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { inputColumns } from "~/workflows/model/signature";
import { executor as dateParts } from "../date-parts/execute";
import { executor as randomForest } from "../random-forest/execute";
import { executor as scale } from "../scale/execute";
import { executor as targetEncode } from "../target-encode/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { executor as oneHot } from "./execute";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const rows = Array.from({ length: 120 }, (_, i) => {
  const city = "abcd"[i % 4]!;
  const day = String((i % 28) + 1).padStart(2, "0");
  return `${city},${["red", "blue", "green"][i % 3]},${i % 50},2024-02-${day},${city < "c" ? "high" : "low"},note ${i}`;
});
const csv = `city,color,x,day,y,note\n${rows.join("\n")}\n`;

describe("feature chain", () => {
  it("trains on encoded features; the endpoint needs the raw fields they read and serves raw rows", async () => {
    let ds = await datasetFromCsv(store, "t/chain.parquet", csv, { y: "target", note: "ignored" });
    // Ingest keeps dates as text with their format (this CSV reader made them DATE; the node reads either).
    ds = { ...ds, columns: ds.columns.map((c) => (c.name === "day" ? { ...c, kind: "date" as const, format: "%Y-%m-%d" } : c)) };
    ds = (await runExecutor(store, dateParts, { column: "day", parts: ["day", "day_of_week"] }, { dataset: ds })).outputs.dataset as DatasetRef;
    ds = (await runExecutor(store, oneHot, { columns: ["color"], maxCategories: 2 }, { dataset: ds })).outputs.dataset as DatasetRef;
    ds = (await runExecutor(store, targetEncode, { columns: ["city"] }, { dataset: ds })).outputs.dataset as DatasetRef;
    ds = (await runExecutor(store, scale, { columns: ["x"] }, { dataset: ds })).outputs.dataset as DatasetRef;
    const { outputs } = await runExecutor(store, randomForest, { nEstimators: 10 }, { train: ds });
    const ref = outputs.model as ModelRef;
    // Three colours as frequent as each other: the first two by name get columns.
    expect(ref.features).toEqual(["city", "color=blue", "color=green", "color=other", "x", "day_day", "day_day_of_week"]);

    const model = loadModel(parseModelFile(await store.getBytes(ref.uri)));
    const fields = inputColumns(model.file);
    expect(fields.filter((f) => !f.optional).map((f) => f.name)).toEqual(["city", "color", "x", "day"]);

    const [row] = model.transform([{ city: "a", color: "purple", x: 10, day: "2024-02-03" }]);
    expect(row).toMatchObject({ "color=blue": 0, "color=green": 0, "color=other": 1, day_day: 3, day_day_of_week: 5 });
    expect(row).not.toHaveProperty("color");
    expect(row).not.toHaveProperty("day");
    expect(model.predict([{ city: "a", color: "red", x: 10, day: "2024-02-03" }, { city: "d", color: "blue", x: 10, day: "not a date" }])).toEqual(["high", "low"]);
  });
});
