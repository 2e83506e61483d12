import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { readColumns, vectorMemory, withDuck, writeCsv } from "./duck";

describe("readColumns", () => {
  it("reads every column as the library's own JS conversion does, across chunks, nulls, NaN, -0, short, long and non-ASCII text", async () => {
    // 5,000 rows: three chunks of DuckDB's 2,048, the last one partial.
    const sql = `SELECT
        CASE WHEN i % 7 = 0 THEN NULL WHEN i % 11 = 0 THEN 'NaN'::DOUBLE WHEN i % 13 = 0 THEN '-0.0'::DOUBLE ELSE i / 3 END AS x,
        i::INTEGER AS n,
        CASE WHEN i % 5 = 0 THEN NULL WHEN i % 3 = 0 THEN '' WHEN i % 4 = 0 THEN 'Zürich' WHEN i % 6 = 1 THEN 'a string longer than twelve bytes ' || i
          WHEN i % 11 = 2 THEN 'twelve bytes' WHEN i % 11 = 3 THEN 'thirteen byte' WHEN i % 11 = 4 THEN 'Zürich-Genf' ELSE 'c' || (i % 17) END AS s,
        CASE WHEN i % 9 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
        DATE '2024-01-01' + i::INTEGER AS d,
        CASE WHEN i % 8 = 0 THEN 'on time' WHEN i % 8 = 1 THEN 'on tame' ELSE 'value-' || (i % 3000) END AS w
      FROM range(5000) t(i)`;
    const columns: ColumnSchema[] = [
      { name: "x", type: "number", nullable: true },
      { name: "n", type: "number", nullable: true },
      { name: "s", type: "string", nullable: true },
      { name: "b", type: "boolean", nullable: true },
      { name: "d", type: "string", nullable: true },
      // 7–12 bytes: two values of the same length one byte apart, and 3,000 that share 1,024 slots.
      { name: "w", type: "string", nullable: false },
    ];
    await withDuck(async (conn) => {
      const read = await readColumns(conn, `(${sql})`, columns);
      const expected = (await conn.runAndReadAll(`SELECT x::DOUBLE AS x, n::DOUBLE AS n, s, b, d, w FROM (${sql})`)).getColumnsObjectJS();
      for (const c of columns) {
        expect(read[c.name]!.length).toBe(5000);
        expect(read[c.name], c.name).toEqual(expected[c.name]);
      }
      // Spelled out (toEqual already tells -0 from 0 and takes NaN for NaN).
      expect(Object.is(read.x![13], -0)).toBe(true);
      expect(Number.isNaN(read.x![11])).toBe(true);
      expect(read.x![7]).toBeNull();
      expect(read.s!.slice(0, 9)).toEqual([null, "a string longer than twelve bytes 1", "twelve bytes", "", "Zürich", null, "", "a string longer than twelve bytes 7", "Zürich"]);
      expect(read.s![4999]).toBe("a string longer than twelve bytes 4999");
      expect(typeof read.b![2]).toBe("boolean");
      // Text of 12 bytes is held in the vector itself, 13 bytes elsewhere; 'Zürich-Genf' is 12 bytes, not ASCII.
      expect([read.s![2], read.s![14], read.s![26]]).toEqual(["twelve bytes", "thirteen byte", "Zürich-Genf"]);
      // The vectors are read from their memory (the fast path), not only through the library's conversion.
      const chunk = (await (await conn.run(`SELECT x::DOUBLE AS x, s FROM (${sql})`)).fetchAllChunks())[0]!;
      expect(vectorMemory(chunk.getColumnVector(0))?.items).toBeInstanceOf(Float64Array);
      expect(vectorMemory(chunk.getColumnVector(1))?.view).toBeInstanceOf(DataView);
    });
  });

  it("reads the number columns it is asked to as Float64Arrays, missing values as NaN, the others as before", async () => {
    // 5,000 rows over three chunks; missing values on both sides of a validity byte's boundary.
    const sql = `SELECT CASE WHEN i % 7 = 0 OR i BETWEEN 4090 AND 4101 THEN NULL WHEN i % 13 = 0 THEN '-0.0'::DOUBLE ELSE i / 3 END AS x,
        i::INTEGER AS n, 'c' || (i % 5) AS s FROM range(5000) t(i)`;
    const columns: ColumnSchema[] = [
      { name: "x", type: "number", nullable: true },
      { name: "n", type: "number", nullable: false },
      { name: "s", type: "string", nullable: false },
    ];
    await withDuck(async (conn) => {
      const plain = await readColumns(conn, `(${sql})`, columns);
      const read = await readColumns(conn, `(${sql})`, columns, new Set(["x", "n", "s"]));
      for (const name of ["x", "n"]) {
        expect(read[name]).toBeInstanceOf(Float64Array);
        expect(Array.from(read[name]!)).toEqual(plain[name]!.map((v) => (v === null ? Number.NaN : v)));
      }
      expect(Number.isNaN(read.x![4095])).toBe(true);
      expect(Object.is(read.x![13], -0)).toBe(true);
      // Only number columns are typed: text stays text.
      expect(read.s).toEqual(plain.s);
    });
  });

  it("reads short codes as the library does, past the number of distinct ones a column keeps (65,536)", async () => {
    // Codes of one to six ASCII bytes (the ones kept per column), 90,000 of them distinct, and two-byte ones of every ASCII byte.
    const sql = `SELECT CASE WHEN i % 4 = 0 THEN 'N' || lpad(((i // 4) % 90000)::VARCHAR, 5, '0') WHEN i % 4 = 1 THEN chr(((i % 127) + 1)::INTEGER) || chr((((i // 127) % 127) + 1)::INTEGER)
      WHEN i % 4 = 2 THEN 'EWR' ELSE substr('ABCDEF', 1, (i % 6)::INTEGER + 1) END AS code FROM range(400000) t(i)`;
    await withDuck(async (conn) => {
      const read = await readColumns(conn, `(${sql})`, [{ name: "code", type: "string", nullable: false }]);
      const expected = (await conn.runAndReadAll(sql)).getColumnsObjectJS();
      expect(read.code).toEqual(expected.code);
      expect(new Set(read.code).size).toBeGreaterThan(65_536);
    });
  });
});

describe("writeCsv", () => {
  it("writes whole numbers stored as doubles as people write them, other numbers in their shortest exact spelling (from 10^16 with an exponent), missing ones empty", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csv-"));
    try {
      const file = path.join(dir, "out.csv");
      await withDuck((conn) =>
        writeCsv(conn, `(SELECT * FROM (VALUES (2007::DOUBLE, 0.3::DOUBLE, 'a,b', 5), (-12::DOUBLE, 0.1::DOUBLE + 0.2::DOUBLE, NULL, 6), (NULL, 1e20::DOUBLE, 'x', 7), (9007199254740993::DOUBLE, 1e15::DOUBLE, 'y', 8)) t(year, ratio, label, n))`, file),
      );
      expect(fs.readFileSync(file, "utf8").trimEnd().split("\n")).toEqual(["year,ratio,label,n", '2007,0.3,"a,b",5', "-12,0.30000000000000004,,6", ",1e+20,x,7", "9007199254740992,1000000000000000,y,8"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
