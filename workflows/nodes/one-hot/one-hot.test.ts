import { afterAll, describe, expect, it } from "vitest";
import { InvalidError, UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec, type OneHotColumn } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "color,size,label\nred,1,x\nblue,2,y\nred,3,x\ngreen,4,y\n,5,x\nblue,6,y\nred,7,x\n";

const dataset = (key: string, text = csv) => datasetFromCsv(store, key, text, { label: "target" });

const infer = (config: Record<string, unknown>, cols: ColumnSchema[]) =>
  spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });

const replay = (params: { columns: OneHotColumn[]; unknown: "ignore" | "error" }, row: Record<string, unknown>) => {
  spec.replay!(params)(row);
  return row;
};

describe("one-hot", () => {
  it("keeps the most frequent values, puts the rest in <col>=other, and leaves the target alone", async () => {
    const src = await dataset("t/onehot1.parquet");
    const { outputs } = await runExecutor(store, executor, { maxCategories: 2 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["color=red", "color=blue", "color=other", "size", "label"]);
    expect(out.columns[0]).toEqual({ name: "color=red", type: "number", nullable: false, kind: "integer" });
    expect(out.columns.at(-1)?.role).toBe("target");
    expect((await readRows(store, out)).map((r) => [r["color=red"], r["color=blue"], r["color=other"]])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expect(out.lineage.steps).toEqual([
      { type: "one-hot", params: { columns: [{ column: "color", categories: ["red", "blue"], other: true }], unknown: "ignore" } },
    ]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("gives every value a column when they fit, and replays them exactly", async () => {
    const src = await dataset("t/onehot2.parquet");
    const { outputs } = await runExecutor(store, executor, { columns: ["color"] }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["color=red", "color=blue", "color=green", "size", "label"]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("sends values outside the kept ones to other at the endpoint; without an other column it ignores or refuses new ones", () => {
    const withOther = { columns: [{ column: "color", categories: ["red"], other: true }], unknown: "error" as const };
    expect(replay(withOther, { color: "purple", size: 1 })).toEqual({ "color=red": 0, "color=other": 1, size: 1 });
    const closed = { columns: [{ column: "color", categories: ["red", "blue"], other: false }], unknown: "ignore" as const };
    expect(replay(closed, { color: "purple" })).toEqual({ "color=red": 0, "color=blue": 0 });
    expect(replay(closed, { color: null })).toEqual({ "color=red": 0, "color=blue": 0 });
    expect(replay(closed, {})).toEqual({ "color=red": 0, "color=blue": 0 });
    const strict = { ...closed, unknown: "error" as const };
    expect(() => replay(strict, { color: "purple" })).toThrow(InvalidError);
    expect(() => replay(strict, { color: "purple" })).toThrow(`field 'color': "purple" is a value the model never saw in training`);
    // Missing is not unknown: the all-zero row.
    expect(replay(strict, { color: null })).toEqual({ "color=red": 0, "color=blue": 0 });
  });

  it("lets a kept value spelled 'other' share the other column", async () => {
    const src = await dataset("t/onehot3.parquet", "color,label\nother,x\nother,y\nred,x\nblue,y\n");
    const { outputs } = await runExecutor(store, executor, { maxCategories: 1 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["color=other", "label"]);
    expect((await readRows(store, out)).map((r) => r["color=other"])).toEqual([1, 1, 1, 1]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("says which raw field each written column reads", () => {
    expect(spec.reads!({ columns: [{ column: "color", categories: ["red"], other: true }], unknown: "ignore" })).toEqual({
      "color=red": ["color"],
      "color=other": ["color"],
    });
  });

  it("encodes only categorical features by default: not the target, IDs, ignored columns, dates or numbers", () => {
    const cols: ColumnSchema[] = [
      { name: "color", type: "string", nullable: false, kind: "categorical" },
      { name: "raw", type: "string", nullable: false },
      { name: "notes", type: "string", nullable: false, kind: "text" },
      { name: "day", type: "string", nullable: false, kind: "date", format: "%Y-%m-%d" },
      { name: "code", type: "string", nullable: false, role: "id" },
      { name: "skip", type: "string", nullable: false, role: "ignored" },
      { name: "label", type: "string", nullable: false, role: "target" },
      { name: "n", type: "number", nullable: false },
    ];
    // Nothing to encode: the columns pass through, known.
    expect(infer({}, cols.slice(2))).toEqual({ errors: [], outputs: { dataset: cols.slice(2) } });
    // Columns to encode: their values decide the columns, unknown until the data is read.
    expect(infer({}, cols)).toEqual({ errors: [] });
  });

  it("names each column it cannot encode", () => {
    const cols: ColumnSchema[] = [
      { name: "color", type: "string", nullable: false },
      { name: "n", type: "number", nullable: false },
    ];
    expect(infer({ columns: ["nope", "n", "color", "color"] }, cols).errors).toEqual([
      { path: "columns.0", message: "column 'nope' is not in the input" },
      { path: "columns.1", message: "column 'n' is number; only text columns hold categories" },
      { path: "columns.3", message: "column 'color' is listed twice" },
    ]);
  });

  it("refuses to write over an existing column", async () => {
    const src = await dataset("t/onehot4.parquet", "color,color=red,label\nred,1,x\nblue,0,y\n");
    await expect(runExecutor(store, executor, { columns: ["color"] }, { dataset: src })).rejects.toThrow(UserError);
    await expect(runExecutor(store, executor, { columns: ["color"] }, { dataset: src })).rejects.toThrow(
      "one-hot would write a column 'color=red', which already exists; rename that column first",
    );
  });
});
