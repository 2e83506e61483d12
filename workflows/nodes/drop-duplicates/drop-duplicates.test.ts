import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

// Rows 3 and 5 repeat rows 1 and 2 but for their IDs; row 4 differs from row 1 only in its label.
const csv = "id,a,city,label\n1,1,Oslo,x\n2,,Rome,y\n3,1,Oslo,x\n4,1,Oslo,y\n5,,Rome,y\n6,2,Oslo,x\n";

describe("drop-duplicates", () => {
  it("keeps the first occurrence in file order, comparing every column but the ID, missing values equal", async () => {
    const src = await datasetFromCsv(store, "t/dd1.parquet", csv, { id: "id", label: "target" });
    const { outputs, metrics } = await runExecutor(store, executor, {}, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([
      { id: 1, a: 1, city: "Oslo", label: "x" },
      { id: 2, a: null, city: "Rome", label: "y" },
      { id: 4, a: 1, city: "Oslo", label: "y" },
      { id: 6, a: 2, city: "Oslo", label: "x" },
    ]);
    expect(metrics).toEqual({ rows_in: 6, rows_out: 4, rows_dropped: 2 });
    expect(out.columns).toEqual(src.columns);
    expect(out.lineage).toEqual(src.lineage);
  });

  it("compares only the chosen columns", async () => {
    const src = await datasetFromCsv(store, "t/dd2.parquet", csv);
    const { outputs, metrics } = await runExecutor(store, executor, { columns: ["city"] }, { dataset: src });
    expect((await readRows(store, outputs.dataset as DatasetRef)).map((r) => r.id)).toEqual([1, 2]);
    expect(metrics).toEqual({ rows_in: 6, rows_out: 2, rows_dropped: 4 });
    // Without roles the ID is a column like any other: every row is unique.
    const all = await runExecutor(store, executor, {}, { dataset: src });
    expect(all.metrics).toEqual({ rows_in: 6, rows_out: 6, rows_dropped: 0 });
  });

  it("refuses unknown columns and the name it needs for row positions", async () => {
    const src = await datasetFromCsv(store, "t/dd3.parquet", "file_row_number,a\n1,2\n");
    await expect(runExecutor(store, executor, {}, { dataset: src })).rejects.toThrow(
      "the column name 'file_row_number' is reserved for finding first occurrences; rename the column first",
    );
    const other = await datasetFromCsv(store, "t/dd4.parquet", "a\n1\n");
    await expect(runExecutor(store, executor, { columns: ["b"] }, { dataset: other })).rejects.toThrow("column 'b' is not in the input");
  });

  it("names config problems at compile time", () => {
    const infer = (config: Record<string, unknown>, cols: ColumnSchema[]) =>
      spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    const cols: ColumnSchema[] = [
      { name: "id", type: "number", nullable: false, role: "id" },
      { name: "a", type: "number", nullable: true },
    ];
    expect(infer({ columns: ["a", "b"] }, cols)).toEqual({ errors: [{ path: "columns.1", message: "column 'b' is not in the input" }], outputs: { dataset: cols } });
    expect(infer({}, [cols[0]!]).errors).toEqual([{ path: "columns", message: "every column is an ID or ignored; choose the columns to compare" }]);
    expect(infer({}, [...cols, { name: "file_row_number", type: "number", nullable: false }]).errors).toEqual([
      { path: "inputs.dataset", message: "the column name 'file_row_number' is reserved for finding first occurrences; rename the column first" },
    ]);
    expect(spec.summary!(spec.config.parse({ columns: ["a"] }))).toBe("on a");
  });
});
