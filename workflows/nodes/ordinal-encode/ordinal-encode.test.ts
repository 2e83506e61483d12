import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { MAX_CODES, spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "color,size,label\nred,1,x\nblue,2,y\nred,3,x\ngreen,4,y\n,5,x\nblue,6,y\nred,7,x\n";

const dataset = (key: string, text = csv) => datasetFromCsv(store, key, text, { label: "target" });

describe("ordinal-encode", () => {
  it("codes values by frequency, leaves missing values missing and the target alone", async () => {
    const src = await dataset("t/ord1.parquet");
    const { outputs } = await runExecutor(store, executor, {}, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => [r.color, r.label])).toEqual([
      [0, "x"],
      [1, "y"],
      [0, "x"],
      [2, "y"],
      [null, "x"],
      [1, "y"],
      [0, "x"],
    ]);
    expect(out.columns.map((c) => `${c.name}:${c.type}:${c.kind ?? ""}:${c.role ?? ""}`)).toEqual(["color:number:integer:", "size:number::", "label:string::target"]);
    expect(out.lineage.steps).toEqual([{ type: "ordinal-encode", params: { columns: [{ column: "color", categories: ["red", "blue", "green"] }] } }]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("codes values alphabetically by character codes", async () => {
    const src = await dataset("t/ord2.parquet", "w,label\nb,x\nB,y\na,x\nb,y\n");
    const { outputs } = await runExecutor(store, executor, { columns: ["w"], order: "alphabetical" }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect((await readRows(store, out)).map((r) => r.w)).toEqual([2, 0, 1, 2]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("gives a value never seen, a missing value and an absent field no code at the endpoint", () => {
    const apply = spec.replay!({ columns: [{ column: "color", categories: ["red", "blue"] }] });
    const rows: Record<string, unknown>[] = [{ color: "blue" }, { color: "purple" }, { color: null }, {}];
    for (const r of rows) apply(r);
    expect(rows).toEqual([{ color: 1 }, { color: null }, { color: null }, { color: null }]);
    expect(spec.reads!({ columns: [{ column: "color", categories: ["red"] }] })).toEqual({ color: ["color"] });
  });

  it("infers the encoded columns as integers and names columns it cannot encode", () => {
    const cols: ColumnSchema[] = [
      { name: "color", type: "string", nullable: true, kind: "categorical" },
      { name: "id", type: "string", nullable: false, role: "id" },
      { name: "n", type: "number", nullable: false },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({})).toEqual({ errors: [], outputs: { dataset: [{ name: "color", type: "number", nullable: true, kind: "integer" }, cols[1], cols[2]] } });
    expect(infer({ columns: ["n", "gone"] }).errors).toEqual([
      { path: "columns.0", message: "column 'n' is number; only text columns hold categories" },
      { path: "columns.1", message: "column 'gone' is not in the input" },
    ]);
  });

  it("refuses a column with more values than it keeps", async () => {
    const rows = Array.from({ length: MAX_CODES + 1 }, (_, i) => `v${i}`).join("\n");
    const src = await datasetFromCsv(store, "t/ord3.parquet", `code\n${rows}\n`);
    await expect(runExecutor(store, executor, {}, { dataset: src })).rejects.toThrow(UserError);
    await expect(runExecutor(store, executor, {}, { dataset: src })).rejects.toThrow(`column 'code' has more than ${MAX_CODES} different values`);
  });
});
