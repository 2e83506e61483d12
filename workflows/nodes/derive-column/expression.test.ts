import { describe, expect, it } from "vitest";
import { withDuck } from "../../../server/data/duck";
import { mulberry32 } from "../../ml/random";
import { evaluate, ExpressionError, parseExpression, referencedColumns, toSql } from "./expression";

const ev = (src: string, row: Record<string, unknown> = {}) => evaluate(parseExpression(src), row);

describe("expression language", () => {
  it("follows arithmetic precedence and associativity", () => {
    expect(ev("1 + 2 * 3")).toBe(7);
    expect(ev("(1 + 2) * 3")).toBe(9);
    expect(ev("10 - 4 - 3")).toBe(3);
    expect(ev("2 ^ 3 ^ 2")).toBe(512);
    expect(ev("-2 ^ 2")).toBe(-4);
    expect(ev("8 / 4 / 2")).toBe(1);
    expect(ev("max(1, 2) + min(3, -1) + abs(-2)")).toBe(3);
    expect(ev("1.5e2 + .5")).toBe(150.5);
  });

  it("reads columns, including quoted names, and propagates missing values", () => {
    expect(ev("feature_1 * feature_2", { feature_1: 3, feature_2: 4 })).toBe(12);
    expect(ev("`a b` + 1", { "a b": 1 })).toBe(2);
    expect(ev("x * 2", { x: null })).toBeNull();
    expect(ev("x / y", { x: 1, y: 0 })).toBeNull();
    expect([...referencedColumns(parseExpression("a * b + log(c) - a"))]).toEqual(["a", "b", "c"]);
  });

  it.each([
    ["", "expression is empty"],
    ["1 +", "expression ends too early"],
    ["a * (b + c", "expected ')' at position 11"],
    ["a $ b", "unexpected '$' at position 3"],
    ["foo(a)", "unknown function 'foo'"],
    ["max(a)", "max() takes 2 argument(s), got 1"],
    ["a b", "unexpected 'b' at position 3"],
  ])("rejects %j with %j", (src, message) => {
    expect(() => parseExpression(src)).toThrow(ExpressionError);
    expect(() => parseExpression(src)).toThrow(message);
  });

  it("computes the same values in DuckDB (training) as in JS (serving)", async () => {
    const exprs = ["a * b", "a / b", "a - b * 2 + 1", "sqrt(abs(a)) + log(abs(b) + 1)", "min(a, b) ^ 2", "round(a * 10) / 10", "-a + exp(b / 10)"];
    const rand = mulberry32(3);
    const rows = Array.from({ length: 200 }, (_, i) => ({
      a: i % 17 === 0 ? null : Math.round((rand() * 20 - 10) * 1000) / 1000,
      b: i % 23 === 0 ? 0 : Math.round((rand() * 20 - 10) * 1000) / 1000,
    }));
    await withDuck(async (conn) => {
      await conn.run("CREATE TABLE t (i INTEGER, a DOUBLE, b DOUBLE)");
      const values = rows.map((r, i) => `(${i}, ${r.a ?? "NULL"}, ${r.b})`).join(",");
      await conn.run(`INSERT INTO t VALUES ${values}`);
      for (const src of exprs) {
        const e = parseExpression(src);
        const res = (await conn.runAndReadAll(`SELECT ${toSql(e)} AS v FROM t ORDER BY i`)).getColumnsJS()[0]!;
        rows.forEach((r, i) => {
          const js = evaluate(e, r);
          const sql = res[i] as number | null;
          if (js === null || Number.isNaN(js)) expect(sql === null || Number.isNaN(sql), `${src} row ${i}`).toBe(true);
          else expect(sql, `${src} row ${i}`).toBeCloseTo(js, 9);
        });
      }
    });
  });
});
