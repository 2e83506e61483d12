import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
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

  it("names a column that is not in the input, and refuses to fill the target", () => {
    const cols = [
      { name: "a", type: "number" as const, nullable: true },
      { name: "s", type: "string" as const, nullable: true, role: "target" as const },
    ];
    const res = spec.infer!({ config: spec.config.parse({ strategy: "median", columns: ["nope", "s"] }), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(res.errors).toEqual([
      { path: "columns.0", message: "column 'nope' is not in the input" },
      { path: "columns.1", message: "'s' is the target; it is never filled (rows without one are dropped or refused)" },
    ]);
    // Downstream, the target has no gaps: the rows without one are gone.
    expect(res.outputs?.dataset?.find((c) => c.name === "s")?.nullable).toBe(false);
  });

  const withTarget = "a,b,label\n1,x,up\n,x,down\n3,,\n5,y,up\n,z,down\n";
  const asTarget = (ref: DatasetRef): DatasetRef => ({ ...ref, columns: ref.columns.map((c) => (c.name === "label" ? { ...c, role: "target" as const } : c)) });

  it("never fills the target: rows without one are dropped and counted, before anything is fitted", async () => {
    const src = asTarget(await datasetFromCsv(store, "t/fill3.parquet", withTarget));
    const { outputs, metrics } = await runExecutor(store, executor, { strategy: "mean", textStrategy: "most_frequent" }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    // Row 3 (no label) is dropped; the mean of a is over rows 1 and 4 only: (1 + 5) / 2.
    expect(await readRows(store, out)).toEqual([
      { a: 1, b: "x", label: "up" },
      { a: 3, b: "x", label: "down" },
      { a: 5, b: "y", label: "up" },
      { a: 3, b: "z", label: "down" },
    ]);
    expect(metrics).toMatchObject({ rows_out: 4, rows_dropped_missing_target: 1 });
    // b's only gap went with its row; its fill value still serves requests that leave b out.
    expect(out.lineage.steps).toEqual([{ type: "fill-missing", params: { values: { a: 3, b: "x" } } }]);
    expect(out.columns.find((c) => c.name === "label")?.role).toBe("target");
  });

  it("fails instead, when the user says so, naming the count", async () => {
    const src = asTarget(await datasetFromCsv(store, "t/fill4.parquet", withTarget));
    await expect(runExecutor(store, executor, { missingTarget: "fail" }, { dataset: src })).rejects.toThrow("target column 'label' has 1 missing values");
  });

  it("fills per column: most frequent (ties to the smallest), median, or leave the gaps", async () => {
    const src = await datasetFromCsv(store, "t/fill5.parquet", "a,b,c\n1,q,10\n,p,\n4,,20\n4,q,30\n1,p,\n");
    const { outputs } = await runExecutor(store, executor, { perColumn: { a: "most_frequent", b: "most_frequent", c: "leave" } }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    // a: 1 and 4 both twice → 1; b: p and q twice each → p.
    expect((await readRows(store, out)).map((r) => [r.a, r.b, r.c])).toEqual([
      [1, "q", 10],
      [1, "p", null],
      [4, "p", 20],
      [4, "q", 30],
      [1, "p", null],
    ]);
    const median = await runExecutor(store, executor, { strategy: "median", columns: ["c"] }, { dataset: src });
    expect((await readRows(store, median.outputs.dataset as DatasetRef)).map((r) => r.c)).toEqual([10, 20, 20, 30, 20]);
  });

  it("replays on request rows exactly what it wrote", async () => {
    const src = await datasetFromCsv(store, "t/fill6.parquet", "a,b,c\n1.5,q,true\n,p,\n4,,false\n2,q,true\n");
    const { outputs } = await runExecutor(store, executor, { strategy: "median", textStrategy: "most_frequent" }, { dataset: src });
    const { served, written } = await replayed(store, src, outputs.dataset as DatasetRef);
    expect(served).toEqual(written);
    expect(written.slice(1, 3)).toEqual([
      { a: 2, b: "p", c: true },
      { a: 4, b: "q", c: false },
    ]);
  });

  it("refuses a mean or median chosen for a text column", () => {
    const cols = [{ name: "shop", type: "string" as const, nullable: true, kind: "categorical" as const }];
    const res = spec.infer!({ config: spec.config.parse({ perColumn: { shop: "mean" } }), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(res.errors).toEqual([{ path: "perColumn.shop", message: "'shop' is categorical: a mean needs numbers (use most frequent or constant)" }]);
  });
});
