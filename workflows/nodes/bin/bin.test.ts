import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { binOf, spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "x,z,y\n1,0,a\n2,0,b\n3,0,a\n4,0,b\n5,0,a\n6,0,b\n7,0,a\n8,1,b\n,0,a\n";

async function run(key: string, config: Record<string, unknown>) {
  const src = await datasetFromCsv(store, key, csv);
  const { outputs } = await runExecutor(store, executor, config, { dataset: src });
  const out = outputs.dataset as DatasetRef;
  return { src, out, rows: await readRows(store, out) };
}

describe("bin", () => {
  it("cuts at the quantiles, interpolated as numpy does", async () => {
    const { src, out, rows } = await run("t/bin1.parquet", { bins: 4, columns: ["x"] });
    expect(rows.map((r) => r.x)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, null]);
    // Positions 0.25, 0.5 and 0.75 of the way through the 8 sorted values.
    expect(out.lineage.steps).toEqual([{ type: "bin", params: { columns: [{ column: "x", edges: [2.75, 4.5, 6.25] }] } }]);
    expect(out.columns[0]).toEqual({ name: "x", type: "number", nullable: true, kind: "integer" });
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("cuts into equal widths with uniform; repeated values leave fewer bins", async () => {
    const { src, out, rows } = await run("t/bin2.parquet", { bins: 3, strategy: "uniform" });
    expect(rows.map((r) => r.x)).toEqual([0, 0, 0, 1, 1, 2, 2, 2, null]);
    expect(rows.map((r) => r.z)).toEqual([0, 0, 0, 0, 0, 0, 0, 2, 0]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
    const quantile = await run("t/bin3.parquet", { bins: 4, columns: ["z"] });
    // Every quantile of z is 0, its minimum: one bin is left.
    expect(quantile.out.lineage.steps).toEqual([{ type: "bin", params: { columns: [{ column: "z", edges: [] }] } }]);
    expect(quantile.rows.map((r) => r.z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("puts a value on an edge in the bin above, and values beyond the range in the end bins", () => {
    expect([-5, 0, 4.999, 5, 10, 99].map((x) => binOf([5], x))).toEqual([0, 0, 0, 1, 1, 1]);
    const apply = spec.replay!({ columns: [{ column: "x", edges: [2.75, 4.5, 6.25] }] });
    const rows: Record<string, unknown>[] = [{ x: -100 }, { x: 4.5 }, { x: 1e9 }, { x: null }, {}];
    for (const r of rows) apply(r);
    expect(rows).toEqual([{ x: 0 }, { x: 2 }, { x: 3 }, { x: null }, { x: null }]);
    expect(spec.reads!({ columns: [{ column: "x", edges: [] }] })).toEqual({ x: ["x"] });
  });

  it("infers binned columns as integers and names the ones it cannot bin", () => {
    const cols: ColumnSchema[] = [
      { name: "n", type: "number", nullable: true, kind: "float" },
      { name: "t", type: "number", nullable: false, role: "target" },
      { name: "s", type: "boolean", nullable: false },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({}).outputs!.dataset).toEqual([{ name: "n", type: "number", nullable: true, kind: "integer" }, cols[1], cols[2]]);
    expect(infer({ columns: ["s"] }).errors).toEqual([{ path: "columns.0", message: "column 's' is boolean, not numeric" }]);
  });
});
