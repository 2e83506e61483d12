import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "a,b,y\n0,3,1\n1,-1,2\n1.718281828459045,-2.5,3\n,4,4\n";

const dataset = (key: string) => datasetFromCsv(store, key, csv, { y: "target" });

describe("log-transform", () => {
  it("takes ln(1 + x) of the numeric features without negative values, by default", async () => {
    const src = await dataset("t/log1.parquet");
    const { outputs } = await runExecutor(store, executor, {}, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    const rows = await readRows(store, out);
    expect(rows.map((r) => r.b)).toEqual([3, -1, -2.5, 4]);
    expect(rows.map((r) => r.y)).toEqual([1, 2, 3, 4]);
    const a = rows.map((r) => r.a as number | null);
    expect(a[0]).toBe(0);
    expect(a[1]).toBeCloseTo(Math.LN2, 15);
    expect(a[2]).toBeCloseTo(1, 15);
    expect(a[3]).toBeNull();
    expect(out.lineage.steps).toEqual([{ type: "log-transform", params: { columns: ["a"] } }]);
    expect(out.columns.find((c) => c.name === "a")?.kind).toBe("float");
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("names the column, row and value of a negative value in a chosen column", async () => {
    const src = await dataset("t/log2.parquet");
    const run = () => runExecutor(store, executor, { columns: ["a", "b"] }, { dataset: src });
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toThrow("column 'b', row 2: -1 is negative; ln(1 + x) needs values of 0 or more (clip or shift the column first)");
  });

  it("treats a negative or missing request value as missing", () => {
    const apply = spec.replay!({ columns: ["a"] });
    const rows: Record<string, unknown>[] = [{ a: 3 }, { a: -0.5 }, { a: null }, {}];
    for (const r of rows) apply(r);
    expect(rows).toEqual([{ a: Math.log(4) }, { a: null }, { a: null }, { a: null }]);
    expect(spec.reads!({ columns: ["a"] })).toEqual({ a: ["a"] });
  });

  it("infers chosen columns as floats and names the ones it cannot take", () => {
    const cols: ColumnSchema[] = [
      { name: "n", type: "number", nullable: false, kind: "integer" },
      { name: "s", type: "string", nullable: false },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({}).outputs!.dataset).toEqual(cols);
    expect(infer({ columns: ["n"] }).outputs!.dataset).toEqual([{ name: "n", type: "number", nullable: false, kind: "float" }, cols[1]]);
    expect(infer({ columns: ["s", "x"] }).errors).toEqual([
      { path: "columns.0", message: "column 's' is string, not numeric" },
      { path: "columns.1", message: "column 'x' is not in the input" },
    ]);
  });
});
