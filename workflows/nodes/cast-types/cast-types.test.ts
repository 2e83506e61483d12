import { afterAll, describe, expect, it } from "vitest";
import { InvalidError } from "~/lib/errors";
import type { ColumnRole, ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { mulberry32 } from "~/lib/random";
import { tempStore } from "~/workflows/artifacts/testing";
import { describe as describeRelation, parquet, withDuck, writeParquet } from "~/workflows/data/duck";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { spec } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

/** A dataset from a SELECT, for exact storage types (DuckDB's CSV reader would guess them). */
async function datasetFromSql(key: string, select: string, roles: Record<string, ColumnRole> = {}): Promise<DatasetRef> {
  const dir = await store.scratchDir();
  return withDuck(async (conn) => {
    await writeParquet(conn, select, `${dir}/out.parquet`);
    const described = await describeRelation(conn, parquet(`${dir}/out.parquet`));
    const columns = described.columns.map((c) => (roles[c.name] ? { ...c, role: roles[c.name] } : c));
    const uri = await store.putFile(key, `${dir}/out.parquet`);
    return { kind: "dataset", uri, rows: described.rows, columns, lineage: { rawColumns: columns, steps: [] } };
  });
}

const cast = async (src: DatasetRef, kinds: Record<string, string>) =>
  (await runExecutor(store, executor, { kinds }, { dataset: src })).outputs.dataset as DatasetRef;

describe("cast-types", () => {
  it("converts each column to its kind, and an endpoint converts request values the same way", async () => {
    const src = await datasetFromSql(
      "t/ct1.parquet",
      `SELECT * FROM (VALUES
        ('3',    1.5::DOUBLE,   'Yes',  1::BIGINT, true,  'a'),
        (' 4 ',  2::DOUBLE,     'no',   0::BIGINT, false, 'b'),
        (NULL,   NULL::DOUBLE,  'TRUE', 1::BIGINT, NULL,  'a'),
        ('+5',   1e21::DOUBLE,  '0',    0::BIGINT, true,  'b'),
        ('1e1',  0.00001::DOUBLE, NULL, 1::BIGINT, false, 'a'),
        ('  ',   123.25::DOUBLE, ' 1 ', 0::BIGINT, true,  'b')
      ) t(code, price, flag, n, ok, label)`,
      { label: "target" },
    );
    const out = await cast(src, { code: "integer", price: "text", flag: "boolean", n: "boolean", ok: "float", label: "categorical" });
    expect(await readRows(store, out)).toEqual([
      { code: 3, price: "1.5", flag: true, n: true, ok: 1, label: "a" },
      { code: 4, price: "2", flag: false, n: false, ok: 0, label: "b" },
      { code: null, price: null, flag: true, n: true, ok: null, label: "a" },
      { code: 5, price: "1e+21", flag: false, n: false, ok: 1, label: "b" },
      { code: 10, price: "1e-05", flag: null, n: true, ok: 0, label: "a" },
      { code: null, price: "123.25", flag: true, n: false, ok: 1, label: "b" },
    ]);
    expect(out.columns).toEqual([
      { name: "code", type: "number", kind: "integer", nullable: true },
      { name: "price", type: "string", kind: "text", nullable: true },
      { name: "flag", type: "boolean", kind: "boolean", nullable: true },
      { name: "n", type: "boolean", kind: "boolean", nullable: false },
      { name: "ok", type: "number", kind: "float", nullable: true },
      { name: "label", type: "string", kind: "categorical", role: "target", nullable: false },
    ]);
    expect(out.lineage.steps).toEqual([
      { type: "cast-types", params: { kinds: { code: "integer", price: "text", flag: "boolean", n: "boolean", ok: "float", label: "categorical" } } },
    ]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("writes numbers as text exactly as serving does, whatever their size", async () => {
    const rand = mulberry32(11);
    const values = [
      0, 1, -1, 0.1 + 0.2, 1e-5, 9.99e-5, 1e-4, 0.00012345, 1e15, 1.5e15, 9.999e15, 1e16, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 123456789012345.6, 5e-324,
      Number.MAX_VALUE, -2.5e-5, 1e100, 1.2345678901234567e16,
      ...Array.from({ length: 400 }, (_, i) => (rand() * 2 - 1) * 10 ** (Math.floor(rand() * 640) - 320) * (i % 5 === 0 ? 1e6 : 1)),
      ...Array.from({ length: 100 }, () => Math.round((rand() - 0.5) * 2e6) / [1, 10, 100, 1000][Math.floor(rand() * 4)]!),
    ];
    const src = await datasetFromSql("t/ct2.parquet", `SELECT * FROM (VALUES ${values.map((v, i) => `(${i}, '${v}'::DOUBLE)`).join(", ")}) t(i, x)`);
    const out = await cast(src, { x: "categorical" });
    const { served, written } = await replayed(store, src, out);
    expect(written.slice(0, 4).map((r) => r.x)).toEqual(["0", "1", "-1", "0.30000000000000004"]);
    expect(served).toEqual(written);
  });

  it("reads numbers from text exactly as serving does", async () => {
    const rand = mulberry32(5);
    const texts = Array.from({ length: 300 }, (_, i) => {
      const x = (rand() - 0.5) * 10 ** (Math.floor(rand() * 40) - 20);
      return [String(x), x.toExponential(4), x.toFixed(6), ` ${x.toPrecision(3)}\t`, `+${Math.abs(x).toFixed(2)}`, "1e-400", ".5", "7."][i % 8]!;
    });
    const src = await datasetFromSql("t/ct3.parquet", `SELECT * FROM (VALUES ${texts.map((t, i) => `(${i}, '${t}')`).join(", ")}) t(i, x)`);
    const out = await cast(src, { x: "float" });
    const { served, written } = await replayed(store, src, out);
    expect(written.slice(5, 8).map((r) => r.x)).toEqual([0, 0.5, 7]);
    expect(served).toEqual(written);
  });

  it("fails on a value that does not convert, naming the column, the row and the value", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => (i === 16 ? "abc" : String(i)));
    const src = await datasetFromCsv(store, "t/ct4.parquet", `age\n${rows.join("\n")}\n`);
    await expect(cast(src, { age: "integer" })).rejects.toThrow("column 'age', row 17: 'abc' is not a number");
    const mixed = await datasetFromSql(
      "t/ct5.parquet",
      `SELECT * FROM (VALUES ('1', 1.0::DOUBLE, 'yes', '1'), ('3.5', 2.5::DOUBLE, 'maybe', '1e999'), ('x', 2::DOUBLE, 'no', '2')) t(s, d, b, f)`,
    );
    await expect(cast(mixed, { s: "integer" })).rejects.toThrow("column 's', row 2: '3.5' is not a whole number");
    await expect(cast(mixed, { d: "integer" })).rejects.toThrow("column 'd', row 2: 2.5 is not a whole number");
    await expect(cast(mixed, { b: "boolean" })).rejects.toThrow("column 'b', row 2: 'maybe' is not true or false (true/false, yes/no, 1/0)");
    await expect(cast(mixed, { d: "boolean" })).rejects.toThrow("column 'd', row 2: 2.5 is not true or false (true/false, yes/no, 1/0)");
    await expect(cast(mixed, { f: "float" })).rejects.toThrow("column 'f', row 2: '1e999' is out of range");
    // The first column in the config's order that fails is named.
    await expect(cast(mixed, { b: "text", s: "float", f: "float" })).rejects.toThrow("column 's', row 3: 'x' is not a number");
    const huge = await datasetFromSql("t/ct6.parquet", "SELECT 1e17::DOUBLE AS big");
    await expect(cast(huge, { big: "integer" })).rejects.toThrow("column 'big', row 1: 100000000000000000 is too large for an integer (at most 2^53 - 1)");
    await expect(cast(huge, { nope: "integer" })).rejects.toThrow("column 'nope' is not in the input");
    // A column that takes DuckDB's name for row positions leaves the row unnamed.
    const reserved = await datasetFromSql("t/ct7.parquet", "SELECT * FROM (VALUES (0, '1'), (1, 'abc')) t(file_row_number, age)");
    await expect(cast(reserved, { age: "float" })).rejects.toThrow("column 'age': 'abc' is not a number");
  });

  it("converts request values on replay, leaves missing ones alone and refuses what does not convert", () => {
    const apply = spec.replay!({ kinds: { code: "integer", price: "text", flag: "boolean", ok: "float" } });
    const row: Record<string, unknown> = { code: " 7 ", price: 3, flag: "YES", ok: false };
    apply(row);
    expect(row).toEqual({ code: 7, price: "3", flag: true, ok: 0 });
    const gaps: Record<string, unknown> = { code: null, flag: "" };
    apply(gaps);
    expect(gaps).toEqual({ code: null, flag: null });
    expect(() => apply({ code: "seven" })).toThrow(InvalidError);
    expect(() => apply({ code: "seven" })).toThrow("field 'code': 'seven' is not a number");
    expect(() => apply({ flag: 2 })).toThrow("field 'flag': 2 is not true or false (true/false, yes/no, 1/0)");
    expect(() => apply({ ok: { v: 1 } })).toThrow('field \'ok\': {"v":1} is not a single value');
    expect(spec.reads!({ kinds: { code: "integer", price: "text" } })).toEqual({ code: ["code"], price: ["price"] });
  });

  it("infers the new types and kinds and names unknown columns", () => {
    const cols: ColumnSchema[] = [
      { name: "when", type: "string", nullable: false, kind: "date", format: "%Y-%m-%d" },
      { name: "ok", type: "boolean", nullable: true, kind: "boolean", tokens: { true: ["Y"], false: ["N"] }, role: "target" },
      { name: "n", type: "number", nullable: false, kind: "float" },
    ];
    const infer = (kinds: Record<string, string>) => spec.infer!({ config: spec.config.parse({ kinds }), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({ when: "categorical", ok: "boolean", n: "text", zz: "float" })).toEqual({
      errors: [{ path: "kinds.zz", message: "column 'zz' is not in the input" }],
      outputs: {
        dataset: [
          { name: "when", type: "string", nullable: false, kind: "categorical" },
          { name: "ok", type: "boolean", nullable: true, kind: "boolean", tokens: { true: ["Y"], false: ["N"] }, role: "target" },
          { name: "n", type: "string", nullable: false, kind: "text" },
        ],
      },
    });
    expect(infer({}).errors).toEqual([{ path: "kinds", message: "choose a column and the kind it becomes" }]);
    expect(spec.summary!(spec.config.parse({ kinds: { n: "integer", when: "text" } }))).toBe("n → integer, when → text");
  });
});
