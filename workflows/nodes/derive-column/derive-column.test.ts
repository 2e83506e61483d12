import { afterAll, describe, expect, it } from "vitest";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const infer = (config: Record<string, unknown>, cols: { name: string; nullable: boolean }[]) =>
  spec.infer!({
    config: spec.config.parse(config),
    inputs: { dataset: cols.map((c) => ({ ...c, type: "number" as const })) },
    datasetColumns: () => undefined,
  });

describe("derive-column", () => {
  it("adds the computed column and records the expression", async () => {
    const src = await datasetFromCsv(store, "t/derive.parquet", "a,b,label\n1,,x\n,4,y\n3,6,x\n5,8,y\n");
    const { outputs } = await runExecutor(store, executor, { name: "ab", expression: "a * b" }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.ab)).toEqual([null, null, 18, 40]);
    expect(out.lineage.steps).toEqual([{ type: "derive-column", params: { name: "ab", expression: "a * b" } }]);
    expect(out.columns.at(-1)).toEqual({ name: "ab", type: "number", nullable: true });
  });

  it("replays the expression on a request row", () => {
    const row: Record<string, unknown> = { a: 3, b: 4 };
    spec.replay!({ name: "ab", expression: "a * b + 1" })(row);
    expect(row.ab).toBe(13);
  });

  it("infers nullability from the expression's tree, not its text", () => {
    const out = (config: Record<string, unknown>, cols: { name: string; nullable: boolean }[]) => infer(config, cols).outputs!.dataset!.at(-1)!.nullable;
    expect(out({ name: "x", expression: "catalog_id * 2" }, [{ name: "catalog_id", nullable: false }])).toBe(false);
    expect(out({ name: "x", expression: "sqrt(abs(a))" }, [{ name: "a", nullable: false }])).toBe(false);
    expect(out({ name: "x", expression: "a / b" }, [{ name: "a", nullable: false }, { name: "b", nullable: false }])).toBe(true);
    expect(out({ name: "x", expression: "a + 1" }, [{ name: "a", nullable: true }])).toBe(true);
  });

  it("names unknown columns and an existing output name", () => {
    expect(infer({ name: "a", expression: "a * nope" }, [{ name: "a", nullable: false }]).errors).toEqual([
      { path: "expression", message: "column 'nope' is not in the input" },
      { path: "name", message: "column 'a' already exists" },
    ]);
  });
});
