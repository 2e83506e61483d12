import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "id,a,b,label\n1,1,,x\n,2,4,y\n3,,6,\n4,5,8,y\n";
const roles = { id: "id", label: "target" } as const;

describe("drop-missing", () => {
  it("drops rows with a gap in any column but the ID, keeping file order and counting", async () => {
    const src = await datasetFromCsv(store, "t/dm1.parquet", csv, roles);
    const { outputs, metrics } = await runExecutor(store, executor, {}, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    // Row 2 lacks only its ID (kept); rows 1 and 3 lack a feature or the label.
    expect(await readRows(store, out)).toEqual([
      { id: null, a: 2, b: 4, label: "y" },
      { id: 4, a: 5, b: 8, label: "y" },
    ]);
    expect(metrics).toEqual({ rows_in: 4, rows_out: 2, rows_dropped: 2 });
    expect(out.rows).toBe(2);
    expect(out.columns.map((c) => [c.name, c.nullable, c.role])).toEqual([
      ["id", true, "id"],
      ["a", false, undefined],
      ["b", false, undefined],
      ["label", false, "target"],
    ]);
    expect(out.lineage).toEqual(src.lineage);
  });

  it("checks only the chosen columns", async () => {
    const src = await datasetFromCsv(store, "t/dm2.parquet", csv, roles);
    const { outputs, metrics } = await runExecutor(store, executor, { columns: ["a", "id"] }, { dataset: src });
    expect((await readRows(store, outputs.dataset as DatasetRef)).map((r) => r.id)).toEqual([1, 4]);
    expect(metrics).toEqual({ rows_in: 4, rows_out: 2, rows_dropped: 2 });
  });

  it("fails, naming the columns, when every row would go", async () => {
    const src = await datasetFromCsv(store, "t/dm3.parquet", "a,b\n1,\n,2\n");
    await expect(runExecutor(store, executor, {}, { dataset: src })).rejects.toThrow("every one of the 2 rows has a missing value in a, b; no row is left");
    await expect(runExecutor(store, executor, { columns: ["c"] }, { dataset: src })).rejects.toThrow("column 'c' is not in the input");
  });

  it("infers the checked columns as complete and names unknown ones", () => {
    const cols: ColumnSchema[] = [
      { name: "id", type: "number", nullable: true, role: "id" },
      { name: "a", type: "number", nullable: true },
      { name: "note", type: "string", nullable: true, role: "ignored" },
      { name: "y", type: "string", nullable: true, role: "target" },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({}).outputs!.dataset!.map((c) => c.nullable)).toEqual([true, false, true, false]);
    expect(infer({ columns: ["note", "nope"] })).toEqual({
      errors: [{ path: "columns.1", message: "column 'nope' is not in the input" }],
      outputs: { dataset: [cols[0], cols[1], { ...cols[2], nullable: false }, cols[3]] },
    });
    expect(spec.summary!(spec.config.parse({}))).toBe("missing in any column");
    expect(spec.summary!(spec.config.parse({ columns: ["a", "y"] }))).toBe("missing in a, y");
  });
});
