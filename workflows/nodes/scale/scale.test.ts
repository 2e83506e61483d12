import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "a,c,id,y\n1,5,10,0.5\n2,5,11,1.5\n4,5,12,2.5\n,5,13,3.5\n";

const dataset = (key: string) => datasetFromCsv(store, key, csv, { id: "id", y: "target" });

/** Rows equal, numbers within 1e-9. */
function expectClose(actual: Record<string, unknown>[], expected: Record<string, unknown>[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    expect(Object.keys(row)).toEqual(Object.keys(expected[i]!));
    for (const [k, v] of Object.entries(row)) {
      const e = expected[i]![k];
      if (typeof v === "number" && typeof e === "number") expect(Math.abs(v - e), `row ${i}, ${k}`).toBeLessThan(1e-9);
      else expect(v, `row ${i}, ${k}`).toEqual(e);
    }
  });
}

describe("scale", () => {
  it("standardises numeric features with the population deviation; a constant column becomes 0; target and IDs stay", async () => {
    const src = await dataset("t/scale1.parquet");
    const { outputs } = await runExecutor(store, executor, {}, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    const mean = 7 / 3;
    const std = Math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (4 - mean) ** 2) / 3);
    expectClose(await readRows(store, out), [
      { a: (1 - mean) / std, c: 0, id: 10, y: 0.5 },
      { a: (2 - mean) / std, c: 0, id: 11, y: 1.5 },
      { a: (4 - mean) / std, c: 0, id: 12, y: 2.5 },
      { a: null, c: 0, id: 13, y: 3.5 },
    ]);
    const [step] = out.lineage.steps as [{ type: string; params: { columns: { column: string; mean: number; std: number }[] } }];
    expect(step.params.columns.map((s) => s.column)).toEqual(["a", "c"]);
    expect(step.params.columns[0]!.mean).toBeCloseTo(mean, 12);
    expect(step.params.columns[0]!.std).toBeCloseTo(std, 12);
    expect(step.params.columns[1]).toEqual({ column: "c", mean: 5, std: 0 });
    expect(out.columns.map((c) => `${c.name}:${c.kind ?? ""}:${c.role ?? ""}`)).toEqual(["a:float:", "c:float:", "id::id", "y::target"]);
    const { served, written } = await replayed(store, src, out);
    expectClose(served, written);
  });

  it("scales to the range with min-max", async () => {
    const src = await dataset("t/scale2.parquet");
    const { outputs } = await runExecutor(store, executor, { method: "min-max", columns: ["a"] }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.a)).toEqual([0, 1 / 3, 1, null]);
    expect(out.lineage.steps).toEqual([{ type: "scale", params: { columns: [{ column: "a", min: 1, max: 4 }] } }]);
    const { served, written } = await replayed(store, src, out);
    expectClose(served, written);
  });

  it("replays on request rows: missing stays missing, values outside the training range extend it", () => {
    const apply = spec.replay!({ columns: [{ column: "a", min: 1, max: 4 }, { column: "b", mean: 2, std: 0.5 }, { column: "c", mean: 5, std: 0 }] });
    const rows: Record<string, unknown>[] = [{ a: 7, b: 1, c: 9 }, { a: null }, {}];
    for (const r of rows) apply(r);
    expect(rows).toEqual([
      { a: 2, b: -2, c: 0 },
      { a: null, b: null, c: null },
      { a: null, b: null, c: null },
    ]);
    expect(spec.reads!({ columns: [{ column: "a", min: 1, max: 4 }] })).toEqual({ a: ["a"] });
  });

  it("infers the scaled columns and names the ones it cannot scale", () => {
    const cols: ColumnSchema[] = [
      { name: "n", type: "number", nullable: false, kind: "integer" },
      { name: "s", type: "string", nullable: false },
      { name: "t", type: "number", nullable: false, role: "target" },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({}).outputs!.dataset).toEqual([{ name: "n", type: "number", nullable: false, kind: "float" }, cols[1], cols[2]]);
    expect(infer({ columns: ["s"] }).errors).toEqual([{ path: "columns.0", message: "column 's' is string, not numeric" }]);
  });
});
