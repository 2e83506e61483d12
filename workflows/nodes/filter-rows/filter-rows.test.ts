import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { evaluateValue, parseCondition, toSql } from "~/lib/pipeline/expression";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { withDuck } from "~/workflows/data/duck";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const csv = "id,price,city,vip\n1,120,Oslo,true\n2,80,Rome,false\n3,,Oslo,\n4,200,,true\n5,150,Oslo,false\n";

describe("filter-rows", () => {
  it("keeps the rows where the condition is true, in file order; a missing result drops the row", async () => {
    const src = await datasetFromCsv(store, "t/fr1.parquet", csv);
    const kept = async (expression: string) => {
      const { outputs, metrics } = await runExecutor(store, executor, { expression }, { dataset: src });
      const out = outputs.dataset as DatasetRef;
      expect(out.lineage).toEqual(src.lineage);
      return { ids: (await readRows(store, out)).map((r) => r.id), metrics };
    };
    // Row 3 has no price and row 4 no city: their comparisons are missing, so they go.
    expect(await kept("price > 100 and city == 'Oslo'")).toEqual({ ids: [1, 5], metrics: { rows_in: 5, rows_out: 2, rows_dropped: 3 } });
    expect((await kept("is_missing(price) or vip")).ids).toEqual([1, 3, 4]);
    expect((await kept("not vip")).ids).toEqual([2, 5]);
    expect((await kept('city != "Oslo"')).ids).toEqual([2]);
    expect((await kept("price * 2 >= 240 or is_missing(city)")).ids).toEqual([1, 4, 5]);
  });

  it("writes the rows whole, with the input's column metadata", async () => {
    const src = await datasetFromCsv(store, "t/fr2.parquet", csv, { id: "id", vip: "target" });
    const { outputs } = await runExecutor(store, executor, { expression: "price < 100" }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(await readRows(store, out)).toEqual([{ id: 2, price: 80, city: "Rome", vip: false }]);
    expect(out.columns.map((c) => [c.name, c.role, c.nullable])).toEqual([
      ["id", "id", false],
      ["price", undefined, false],
      ["city", undefined, false],
      ["vip", "target", false],
    ]);
  });

  it("fails when no row is left, and on a condition that does not fit the columns", async () => {
    const src = await datasetFromCsv(store, "t/fr3.parquet", csv);
    await expect(runExecutor(store, executor, { expression: "price > 1000" }, { dataset: src })).rejects.toThrow(
      "none of the 5 rows satisfies 'price > 1000'; no row is left",
    );
    await expect(runExecutor(store, executor, { expression: "city > 3" }, { dataset: src })).rejects.toThrow("cannot compare column 'city' (string) with 3 (number)");
    await expect(runExecutor(store, executor, { expression: "price >" }, { dataset: src })).rejects.toThrow("expression ends too early");
  });

  it("names problems with the condition at compile time", () => {
    const cols: ColumnSchema[] = [
      { name: "price", type: "number", nullable: true },
      { name: "city", type: "string", nullable: true },
    ];
    const infer = (expression: string) => spec.infer!({ config: spec.config.parse({ expression }), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer("city == 'Oslo' and price > 3")).toEqual({ errors: [], outputs: { dataset: cols } });
    expect(infer("city < 10").errors).toEqual([{ path: "expression", message: "cannot compare column 'city' (string) with 10 (number)" }]);
    expect(infer("nope > 1").errors).toEqual([{ path: "expression", message: "column 'nope' is not in the input" }]);
    expect(infer("price + 1").errors).toEqual([{ path: "expression", message: "the condition gives a number; it must be true or false (e.g. price > 100)" }]);
    expect(infer("").errors).toEqual([{ path: "expression", message: "expression is empty" }]);
    expect(spec.summary!(spec.config.parse({ expression: "price > 3" }))).toBe("price > 3");
  });

  it("computes the same truth value in DuckDB (training) as in JS, on random conditions and rows", async () => {
    const columns: Record<string, "number" | "string" | "boolean"> = { a: "number", b: "number", s: "string", f: "boolean" };
    const rows = Array.from({ length: 60 }, (_, i) => ({
      a: [null, -2, -1.5, 0, 1, 2.5, 3][i % 7]!,
      b: [-1, 0, 1, 2, 0.5][i % 5]!,
      s: [null, "", "a", "b", "B", "ab", "é", "😀", "\uffff"][i % 9]!,
      f: [null, true, false][i % 3]!,
    }));
    const num = fc.letrec<{ n: string }>((tie) => ({
      n: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constantFrom("a", "b", "0", "1", "2.5", "1e3", "(-1.5)"),
        fc.tuple(tie("n"), fc.constantFrom("+", "-", "*", "/"), tie("n")).map(([l, op, r]) => `(${l} ${op} ${r})`),
        tie("n").map((x) => `abs(${x})`),
        fc.tuple(tie("n"), tie("n")).map(([l, r]) => `max(${l}, ${r})`),
      ),
    })).n;
    const str = fc.constantFrom("s", "''", "'a'", '"b"', "'B'", "'ab'", "'é'", "'😀'", "'\uffff'");
    const cmp = fc.constantFrom("<", "<=", ">", ">=", "==", "!=");
    const cond = fc.letrec<{ c: string }>((tie) => ({
      c: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.tuple(num, cmp, num).map(([l, op, r]) => `${l} ${op} ${r}`),
        fc.tuple(str, cmp, str).map(([l, op, r]) => `${l} ${op} ${r}`),
        fc.constantFrom("f", "true", "false", "f == true", "f != false", "f < true"),
        fc.constantFrom("a", "s", "f").map((c) => `is_missing(${c})`),
        num.map((x) => `is_missing(${x})`),
        tie("c").map((x) => `not (${x})`),
        fc.tuple(tie("c"), fc.constantFrom("and", "or"), tie("c")).map(([l, op, r]) => `(${l}) ${op} (${r})`),
      ),
    })).c;
    await withDuck(async (conn) => {
      await conn.run("CREATE TABLE t (i INTEGER, a DOUBLE, b DOUBLE, s VARCHAR, f BOOLEAN)");
      const lit = (v: unknown) => (v === null ? "NULL" : typeof v === "string" ? `'${v.replaceAll("'", "''")}'` : String(v));
      await conn.run(`INSERT INTO t VALUES ${rows.map((r, i) => `(${i}, ${lit(r.a)}, ${lit(r.b)}, ${lit(r.s)}, ${lit(r.f)})`).join(", ")}`);
      await fc.assert(
        fc.asyncProperty(cond, async (src) => {
          const expr = parseCondition(src);
          const sql = (await conn.runAndReadAll(`SELECT ${toSql(expr, (c) => columns[c])} FROM t ORDER BY i`)).getColumnsJS()[0]!;
          rows.forEach((row, i) => expect(sql[i], `${src} on row ${i}`).toBe(evaluateValue(expr, row)));
        }),
        { numRuns: 500 },
      );
    });
  });
  it("refuses to order dates written as text, and still compares them for equality", () => {
    const cols = [
      { name: "day", type: "string" as const, nullable: false, kind: "date" as const, format: "%d/%m/%Y" },
      { name: "n", type: "number" as const, nullable: false },
    ];
    const infer = (expression: string) => spec.infer!({ config: spec.config.parse({ expression }), inputs: { dataset: cols }, datasetColumns: () => undefined }).errors;
    expect(infer("day > '01/01/2023' and n > 1")).toEqual([
      { path: "expression", message: "column 'day' holds dates written as text (%d/%m/%Y), which cannot be ordered as text; add a Date parts node and compare its parts (e.g. day_year >= 2024)" },
    ]);
    expect(infer("day == '31/12/2023' or n > 1")).toEqual([]);
  });
});
