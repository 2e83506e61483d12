import { afterAll, describe, expect, it } from "vitest";
import { InvalidError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "id,a,b,n,y\n1,1,10,1,5\n2,2,,2,6\n3,3,30,3,7\n4,4,40,4,8\n5,5,50,5,9\n6,100,60,100,1000\n";

/** The CSV with an ID, a target and an integer column, as ingest would describe them. */
async function source(key: string): Promise<DatasetRef> {
  const src = await datasetFromCsv(store, key, csv, { id: "id", y: "target" });
  return { ...src, columns: src.columns.map((c) => (c.name === "n" ? { ...c, kind: "integer" as const } : c)) };
}

describe("clip-outliers", () => {
  it("clips every numeric feature to quantiles fitted on this data; integer bounds rounded outward; the endpoint clips alike", async () => {
    const src = await source("t/co1.parquet");
    const { outputs, metrics } = await runExecutor(store, executor, { lowerQuantile: 0.25, upperQuantile: 0.75 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    // a: 1 2 3 4 5 100 → positions 1.25 and 3.75 → 2.25 and 4.75; b (10 30 40 50 60, one missing) → 30 and 50;
    // n as a: 2.25 and 4.75 rounded outward to 2 and 5. The ID and the target are left alone.
    expect(await readRows(store, out)).toEqual([
      { id: 1, a: 2.25, b: 30, n: 2, y: 5 },
      { id: 2, a: 2.25, b: null, n: 2, y: 6 },
      { id: 3, a: 3, b: 30, n: 3, y: 7 },
      { id: 4, a: 4, b: 40, n: 4, y: 8 },
      { id: 5, a: 4.75, b: 50, n: 5, y: 9 },
      { id: 6, a: 4.75, b: 50, n: 5, y: 1000 },
    ]);
    expect(out.lineage.steps).toEqual([
      { type: "clip-outliers", params: { bounds: { a: { lower: 2.25, upper: 4.75 }, b: { lower: 30, upper: 50 }, n: { lower: 2, upper: 5 } } } },
    ]);
    expect(metrics).toEqual({ values_clipped: 8 });
    expect(out.columns.map((c) => [c.name, c.type, c.kind, c.role])).toEqual([
      ["id", "number", undefined, "id"],
      ["a", "number", undefined, undefined],
      ["b", "number", undefined, undefined],
      ["n", "number", "integer", undefined],
      ["y", "number", undefined, "target"],
    ]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("clips the chosen columns to fixed bounds, one side when only one is given", async () => {
    const src = await source("t/co2.parquet");
    const both = await runExecutor(store, executor, { columns: ["a", "id"], method: "bounds", lower: 2, upper: 4.5 }, { dataset: src });
    const out = both.outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => [r.id, r.a, r.b])).toEqual([
      [2, 2, 10],
      [2, 2, null],
      [3, 3, 30],
      [4, 4, 40],
      [4.5, 4.5, 50],
      [4.5, 4.5, 60],
    ]);
    expect(both.metrics).toEqual({ values_clipped: 6 });
    const upper = await runExecutor(store, executor, { columns: ["n"], method: "bounds", upper: 3.5 }, { dataset: src });
    const capped = upper.outputs.dataset as DatasetRef;
    expect((await readRows(store, capped)).map((r) => r.n)).toEqual([1, 2, 3, 4, 4, 4]);
    expect(capped.lineage.steps).toEqual([{ type: "clip-outliers", params: { bounds: { n: { lower: null, upper: 4 } } } }]);
    const { served, written } = await replayed(store, src, capped);
    expect(served).toEqual(written);
  });

  it("fits quantiles on the numbers only and leaves NaN as it is, in training as at the endpoint", async () => {
    const src = await datasetFromCsv(store, "t/co5.parquet", "c\n1\n2\nnan\n4\n100\n");
    const out = (await runExecutor(store, executor, { lowerQuantile: 0.25, upperQuantile: 0.75 }, { dataset: src })).outputs.dataset as DatasetRef;
    // 1 2 4 100 → positions 0.75 and 2.25 → 1.75 and 4 + 0.25 × 96 = 28.
    expect(out.lineage.steps).toEqual([{ type: "clip-outliers", params: { bounds: { c: { lower: 1.75, upper: 28 } } } }]);
    const { served, written } = await replayed(store, src, out);
    expect(written.map((r) => r.c)).toEqual([1.75, 2, NaN, 4, 28]);
    expect(served).toEqual(written);
  });

  it("replays on request rows: missing values and NaN stay, a non-number is refused", () => {
    const apply = spec.replay!({ bounds: { a: { lower: 0, upper: 10 }, b: { lower: null, upper: 1 } } });
    const row: Record<string, unknown> = { a: -3, b: 5 };
    apply(row);
    expect(row).toEqual({ a: 0, b: 1 });
    const gaps: Record<string, unknown> = { a: null, b: NaN };
    apply(gaps);
    expect(gaps).toEqual({ a: null, b: NaN });
    expect(() => apply({ a: "7" })).toThrow(InvalidError);
    expect(() => apply({ a: "7" })).toThrow("field 'a': \"7\" is not a number");
    expect(spec.reads!({ bounds: { a: { lower: 0, upper: 1 } } })).toEqual({ a: ["a"] });
  });

  it("never clips the target and names each config problem", async () => {
    const cols: ColumnSchema[] = [
      { name: "a", type: "number", nullable: false },
      { name: "s", type: "string", nullable: false },
      { name: "y", type: "number", nullable: false, role: "target" },
    ];
    const infer = (config: Record<string, unknown>, input = cols) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: input }, datasetColumns: () => undefined });
    expect(infer({ columns: ["y", "s", "zz"] }).errors).toEqual([
      { path: "columns.0", message: "column 'y' is the target; it is never clipped" },
      { path: "columns.1", message: "column 's' is string; only numbers are clipped" },
      { path: "columns.2", message: "column 'zz' is not in the input" },
    ]);
    expect(infer({ lowerQuantile: 0.9, upperQuantile: 0.1 }).errors).toEqual([{ path: "lowerQuantile", message: "the lower quantile is above the upper one" }]);
    expect(infer({ method: "bounds" }).errors).toEqual([{ path: "lower", message: "give a lower bound, an upper bound or both" }]);
    expect(infer({ method: "bounds", lower: 3, upper: 1 }).errors).toEqual([{ path: "lower", message: "the lower bound is above the upper one" }]);
    expect(infer({}, [cols[1]!, cols[2]!]).errors).toEqual([{ path: "columns", message: "there is no numeric feature column to clip" }]);
    expect(infer({})).toEqual({ errors: [], outputs: { dataset: cols } });
    expect(spec.summary!(spec.config.parse({}))).toBe("quantiles 0.01–0.99");
    expect(spec.summary!(spec.config.parse({ columns: ["a"], method: "bounds", upper: 5 }))).toBe("a: −∞ to 5");

    const src = await source("t/co3.parquet");
    await expect(runExecutor(store, executor, { columns: ["y"] }, { dataset: src })).rejects.toThrow("column 'y' is the target; it is never clipped");
    // Nothing but a gap and a NaN: no number to take quantiles of.
    const empty = await datasetFromCsv(store, "t/co4.parquet", "a,b\nnan,1\n,2\n");
    await expect(runExecutor(store, executor, { columns: ["a"] }, { dataset: empty })).rejects.toThrow("column 'a' has no values to fit bounds on");
  });
});
