/** The expression language's SQL back end (training) against its JS evaluator (serving), on real DuckDB. */
import { describe, expect, it } from "vitest";
import { evaluate, parseExpression, toSql } from "~/lib/pipeline/expression";
import { mulberry32 } from "~/lib/random";
import { withDuck } from "./duck";

describe("expression language on DuckDB", () => {
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
