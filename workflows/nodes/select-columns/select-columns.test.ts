import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { neededColumns } from "~/workflows/model/signature";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "id,a,b,label\n1,1.5,x,cat\n2,,y,dog\n3,3,,cat\n";
const roles = { id: "id", label: "target" } as const;

describe("select-columns", () => {
  it("keeps the chosen columns in input order, renames them with their metadata, and replays the renames", async () => {
    const src = await datasetFromCsv(store, "t/sc1.parquet", csv, roles);
    const config = { mode: "keep", columns: ["label", "a", "b"], rename: { a: "alpha", label: "y" } };
    const out = (await runExecutor(store, executor, config, { dataset: src })).outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([
      { alpha: 1.5, b: "x", y: "cat" },
      { alpha: null, b: "y", y: "dog" },
      { alpha: 3, b: null, y: "cat" },
    ]);
    expect(out.columns).toEqual([
      { name: "alpha", type: "number", nullable: true },
      { name: "b", type: "string", nullable: true },
      { name: "y", type: "string", nullable: false, role: "target" },
    ]);
    expect(out.lineage.steps).toEqual([{ type: "select-columns", params: { rename: { a: "alpha", label: "y" } } }]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("drops the chosen columns and records no step when nothing is renamed", async () => {
    const src = await datasetFromCsv(store, "t/sc2.parquet", csv, roles);
    const out = (await runExecutor(store, executor, { mode: "drop", columns: ["b", "id"] }, { dataset: src })).outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([
      { a: 1.5, label: "cat" },
      { a: null, label: "dog" },
      { a: 3, label: "cat" },
    ]);
    expect(out.lineage).toEqual(src.lineage);
    const all = (await runExecutor(store, executor, {}, { dataset: src })).outputs.dataset as DatasetRef;
    expect(all.columns).toEqual(src.columns);
  });

  it("lets a renamed column take a dropped column's name; the endpoint then reads the old field", async () => {
    const src = await datasetFromCsv(store, "t/sc3.parquet", csv);
    const out = (await runExecutor(store, executor, { mode: "drop", columns: ["b"], rename: { a: "b" } }, { dataset: src })).outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["id", "b", "label"]);
    const { served, written } = await replayed(store, src, out);
    expect(written).toEqual([
      { id: 1, b: 1.5, label: "cat" },
      { id: 2, b: null, label: "dog" },
      { id: 3, b: 3, label: "cat" },
    ]);
    expect(served).toEqual(written);
    const params = { rename: { a: "b" } };
    expect(spec.reads!(params)).toEqual({ b: ["a"] });
    expect([...neededColumns(out.lineage.steps, ["b", "id"])].sort()).toEqual(["a", "id"]);
    // A request row carries the raw fields: the dropped 'b' is overwritten, a left-out 'a' is missing.
    const apply = spec.replay!(params);
    const row: Record<string, unknown> = { id: 1, a: 2, b: "raw" };
    apply(row);
    expect(row).toEqual({ id: 1, b: 2 });
    const partial: Record<string, unknown> = { id: 1, b: "raw" };
    apply(partial);
    expect(partial).toEqual({ id: 1, b: null });
  });

  it("names each config problem at its field", () => {
    const cols: ColumnSchema[] = [
      { name: "a", type: "number", nullable: false },
      { name: "b", type: "string", nullable: false },
      { name: "c", type: "number", nullable: false },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({ columns: ["a", "nope"], rename: { zz: "q", b: "x", a: " " } }).errors).toEqual([
      { path: "columns.1", message: "column 'nope' is not in the input" },
      { path: "rename.zz", message: "column 'zz' is not in the input" },
      { path: "rename.b", message: "column 'b' is not kept; it cannot be renamed" },
      { path: "rename.a", message: "the new name of 'a' is empty" },
    ]);
    expect(infer({ rename: { a: "b", c: "d" } }).errors).toEqual([{ path: "rename.a", message: "a column named 'b' already exists" }]);
    expect(infer({ rename: { a: "x", c: "x" } }).errors).toEqual([{ path: "rename.c", message: "'x' is the new name of another column too" }]);
    expect(infer({ mode: "drop", columns: ["a", "b", "c"] }).errors).toEqual([{ path: "columns", message: "no column is left" }]);
    expect(infer({ mode: "drop", columns: ["c"], rename: { a: "c", b: "b" } })).toEqual({
      errors: [],
      outputs: { dataset: [{ ...cols[0], name: "c" }, cols[1]] },
    });
    expect(spec.summary!(spec.config.parse({ mode: "drop", columns: ["c"], rename: { a: "c" } }))).toBe("drop c · rename a → c");
    expect(spec.summary!(spec.config.parse({}))).toBe("every column");
  });

  it("fails on the same problems when run", async () => {
    const src = await datasetFromCsv(store, "t/sc4.parquet", csv);
    await expect(runExecutor(store, executor, { rename: { a: "b" } }, { dataset: src })).rejects.toThrow("a column named 'b' already exists");
  });
});
