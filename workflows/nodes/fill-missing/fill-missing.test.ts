import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "a,b,label\n1,,x\n,4,y\n3,6,x\n5,8,y\n";

describe("fill-missing", () => {
  it("fills with a constant and records the fitted step", async () => {
    const src = await datasetFromCsv(store, "t/fill1.parquet", csv);
    const { outputs } = await runExecutor(store, executor, { value: -1 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([
      { a: 1, b: -1, label: "x" },
      { a: -1, b: 4, label: "y" },
      { a: 3, b: 6, label: "x" },
      { a: 5, b: 8, label: "y" },
    ]);
    expect(out.columns.every((c) => !c.nullable)).toBe(true);
    expect(out.lineage.steps).toEqual([{ type: "fill-missing", params: { values: { a: -1, b: -1 } } }]);
  });

  it("fills with the mean fitted on this data", async () => {
    const src = await datasetFromCsv(store, "t/fill2.parquet", csv);
    const { outputs } = await runExecutor(store, executor, { strategy: "mean", columns: ["a"] }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.a)).toEqual([1, 3, 3, 5]);
    expect(out.lineage.steps).toEqual([{ type: "fill-missing", params: { values: { a: 3 } } }]);
    expect(out.columns.find((c) => c.name === "b")?.nullable).toBe(true);
  });

  it("replays the fitted values on request rows, leaving present values alone", () => {
    const apply = spec.replay!({ values: { a: 3, label: "none" } });
    const row: Record<string, unknown> = { a: null, b: 2, label: "x" };
    apply(row);
    expect(row).toEqual({ a: 3, b: 2, label: "x" });
    const missing: Record<string, unknown> = { b: 1 };
    apply(missing);
    expect(missing).toEqual({ a: 3, b: 1, label: "none" });
  });

  it("names a column that is not in the input, and one a statistic cannot fill", () => {
    const cols = [
      { name: "a", type: "number" as const, nullable: true },
      { name: "s", type: "string" as const, nullable: true },
    ];
    const res = spec.infer!({ config: spec.config.parse({ strategy: "median", columns: ["nope", "s"] }), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(res.errors).toEqual([
      { path: "columns.0", message: "column 'nope' is not in the input" },
      { path: "columns.1", message: "column 's' is string; median needs numbers" },
    ]);
  });
});
