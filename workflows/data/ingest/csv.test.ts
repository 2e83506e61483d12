/** Ingest of files as people write them: dialects, encodings, missing values, kinds, roles, and the errors that name the line. */
import { afterAll, describe, expect, it } from "vitest";
import { tempStore } from "~/workflows/artifacts/testing";
import { readRows } from "~/workflows/nodes/testing";
import fs from "node:fs";
import type { ColumnChoice } from "~/lib/pipeline/ingest";
import { readColumns, withDuck } from "~/workflows/data/duck";
import { applyChoices, csvToParquetFile, prepareCsv, profileCsv } from "./csv";
import { CsvError, importCsvBytes, importFile, previewFile } from "./index";

const { store, cleanup } = tempStore();
afterAll(cleanup);
let n = 0;
const importText = (csv: string | Buffer, options = {}, choices = {}) => importCsvBytes(store, `t/${n++}.parquet`, typeof csv === "string" ? Buffer.from(csv) : csv, options, choices);
const rejectWith = (csv: string | Buffer) => importText(csv).catch((e: unknown) => e);
const messageOf = async (csv: string) => {
  const e = await rejectWith(csv);
  expect(e).toBeInstanceOf(CsvError);
  return (e as CsvError).message;
};
async function preview(csv: string | Buffer, options = {}) {
  const dir = await store.scratchDir();
  const file = `${dir}/in.csv`;
  await import("node:fs").then((fs) => fs.writeFileSync(file, csv));
  return previewFile(file, "csv", dir, options);
}
const shape = (p: Awaited<ReturnType<typeof preview>>) => p.columns.map((c) => `${c.name}:${c.kind}/${c.role}`);

describe("reading files as people write them", () => {
  it("finds semicolons, tabs and pipes, and a decimal comma with semicolons", async () => {
    const semi = await preview("name;price;qty\nTea;1,50;2\nCake;3,25;1\n");
    expect(semi.dialect).toMatchObject({ delimiter: ";", decimal: ",", header: true, encoding: "utf-8" });
    expect(shape(semi)).toEqual(["name:categorical/feature", "price:float/feature", "qty:integer/feature"]);
    const stored = await importText("name;price;qty\nTea;1,50;2\nCake;3,25;1\n");
    expect(await readRows(store, { kind: "dataset", uri: stored.uri, rows: 2, columns: [], lineage: { rawColumns: [], steps: [] } })).toEqual([
      { name: "Tea", price: 1.5, qty: 2 },
      { name: "Cake", price: 3.25, qty: 1 },
    ]);
    // Semicolons with decimal points (penguins.csv as R's write.csv2 would not write it, but people do).
    const points = await preview("id;bill_length_mm;year\nP1;39.1;2007\nP2;NA;2007\nP3;40.3;2008\n");
    expect(points.dialect).toMatchObject({ delimiter: ";", decimal: "." });
    expect(shape(points)).toEqual(["id:categorical/feature", "bill_length_mm:float/feature", "year:integer/feature"]);
    // The stored columns keep the spellings read as missing: the endpoint reads `NA` as missing too.
    const kept = await importText("id;bill_length_mm;year\nP1;39.1;2007\nP2;NA;2007\nP3;40.3;2008\n");
    expect(kept.columns.find((c) => c.name === "bill_length_mm")).toMatchObject({ nullable: true, missingTokens: expect.arrayContaining(["", "NA", "N/A"]) });
    expect((await preview("a\tb\n1\tx\n2\ty\n")).dialect.delimiter).toBe("\t");
    expect((await preview("a|b\n1|x\n2|y\n")).dialect.delimiter).toBe("|");
  });

  it("reads Windows-1252, Latin-1 and UTF-16 text, and UTF-8 with a byte-order mark", async () => {
    const cp1252 = Buffer.from([...Buffer.from("name,price\n"), 0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, ...Buffer.from(",2\nM"), 0xfc, ...Buffer.from("nchen,3\n")]);
    const p = await preview(cp1252);
    expect(p.dialect.encoding).toBe("windows-1252");
    expect(p.columns[0]!.samples.sort()).toEqual(["Café €", "München"]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("city,n\nKöln,1\nParis,2\n", "utf16le")]);
    const q = await preview(utf16);
    expect(q.dialect.encoding).toBe("utf-16le");
    expect(shape(q)).toEqual(["city:categorical/feature", "n:integer/feature"]);
    const bom = await preview(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x,y\n1,2\n")]));
    expect(bom.columns.map((c) => c.name)).toEqual(["x", "y"]);
  });

  it("takes NA, N/A, NaN, null and empty cells as missing, and numbers stay numbers", async () => {
    const p = await preview("bill,sex\n39.1,male\nNA,female\n40.3,NA\nN/A,\nNaN,null\n");
    expect(p.columns.map((c) => [c.name, c.kind, c.missing])).toEqual([
      ["bill", "float", 3],
      ["sex", "categorical", 3],
    ]);
    // Another token set, as the user says.
    const q = await preview("v\n1\n-999\n3\n", { missing: ["-999"] });
    expect(q.columns[0]).toMatchObject({ kind: "integer", missing: 1 });
  });

  it("keeps dates, timestamps and times as written, and knows their format", async () => {
    const p = await preview("day,at,clock,euro\n2024-01-01,2024-01-01T10:00:00Z,09:30,31.12.2023\n2024-02-29,2024-02-01 11:30:00+01:00,17:05:30,01.01.2024\n");
    expect(p.columns.map((c) => [c.name, c.kind, c.format])).toEqual([
      ["day", "date", "%Y-%m-%d"],
      ["at", "datetime", "iso8601"],
      ["clock", "time", "hh:mm[:ss]"],
      ["euro", "date", "%d.%m.%Y"],
    ]);
    const stored = await importText("day,at,clock\n2024-01-01,2024-01-01T10:00:00Z,09:30\n");
    expect(stored.columns.map((c) => `${c.name}:${c.type}:${c.kind}`)).toEqual(["day:string:date", "at:string:datetime", "clock:string:time"]);
    expect(await readRows(store, { kind: "dataset", uri: stored.uri, rows: 1, columns: [], lineage: { rawColumns: [], steps: [] } })).toEqual([{ day: "2024-01-01", at: "2024-01-01T10:00:00Z", clock: "09:30" }]);
  });

  it("reads Yes/No columns as booleans that remember their spelling", async () => {
    const p = await preview("smoker,label\nYes,1\nNo,0\nyes,1\n");
    expect(p.columns[0]).toMatchObject({ kind: "boolean", tokens: { true: ["Yes", "yes"], false: ["No", "no"] } });
    expect(p.columns[1]).toMatchObject({ kind: "integer" });
  });

  it("flags identifier columns and pandas' unnamed index, and keeps them out of the features", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},C${1000 + i},${i % 3},${(i * 7) % 11}`).join("\n");
    const p = await preview(`,customer_id,group,score\n${rows}\n`);
    expect(shape(p)).toEqual(["index:integer/ignored", "customer_id:categorical/id", "group:integer/feature", "score:integer/feature"]);
    expect(p.warnings.map((w) => w.code).sort()).toEqual(["id-like", "index-column"]);
    const stored = await importText(`,customer_id,group,score\n${rows}\n`);
    expect(stored.columns.map((c) => `${c.name}:${c.role}`)).toEqual(["customer_id:id", "group:feature", "score:feature"]);
    // The user can say otherwise.
    const kept = await importText(`,customer_id,group,score\n${rows}\n`, {}, { customer_id: { role: "feature" }, score: { role: "target" } });
    expect(kept.columns.map((c) => `${c.name}:${c.role}`)).toEqual(["customer_id:feature", "group:feature", "score:target"]);
  });

  it("names empty and repeated headers, and says so", async () => {
    const p = await preview("a,,a\n1,2,3\n");
    expect(p.columns.map((c) => c.name)).toEqual(["a", "column_2", "a_2"]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      "column 2 has no name in the header; it is called 'column_2'",
      "'a' appears more than once in the header; column 3 is called 'a_2'",
    ]);
  });

  it("stops at a value that does not fit its kind, naming column, line and value", async () => {
    const e = await importText("x,y\n1,a\n2,b\n", {}, { y: { kind: "float" } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toBe("column 'y', line 2: 'a' is not a number; set the column's kind to text, or add 'a' to the missing-value tokens");
    expect((e as CsvError).line).toBe(2);
  });
});

describe("saving what was previewed", () => {
  it("takes the preview the user saw instead of inferring again, unless the file now reads otherwise", async () => {
    const csv = "name,qty\nTea,2\nCake,1\n";
    const dir = await store.scratchDir();
    const file = `${dir}/in.csv`;
    await import("node:fs").then((fs) => fs.writeFileSync(file, csv));
    const seen = await previewFile(file, "csv", dir);
    expect(shape(seen)).toEqual(["name:categorical/feature", "qty:integer/feature"]);
    // A preview is taken as it is: one whose qty says float (as a user's change would) stores floats.
    const edited = { ...seen, columns: seen.columns.map((c) => (c.name === "qty" ? { ...c, kind: "float" as const, type: "number" as const } : c)) };
    const taken = await importFile(store, `t/${n++}.parquet`, file, "csv", seen.dialect, {}, edited);
    expect(taken.columns.find((c) => c.name === "qty")?.kind).toBe("float");
    // The dialect it found, given back as options, reads the file as it did.
    expect(taken.dialect).toEqual(seen.dialect);
    // A preview of the file read without a header is not this reading's: the columns are inferred again.
    const other = await previewFile(file, "csv", dir, { header: false });
    const again = await importFile(store, `t/${n++}.parquet`, file, "csv", {}, {}, { ...other, columns: other.columns.map((c) => ({ ...c, kind: "float" as const })) });
    expect(again.columns.map((c) => `${c.name}:${c.kind}`)).toEqual(["name:categorical", "qty:integer"]);
  });
});

describe("refusing what cannot be read", () => {
  it("names the line of a row with the wrong number of fields, and a ragged last row", async () => {
    const e = await rejectWith("a,b,c\n1,2,3\n4,5\n6,7,8\n");
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).line).toBe(3);
    expect((e as CsvError).message).toBe("line 3: expected 3 fields as in the first line, found 2");
    expect(await messageOf("a,b,c\n1,2,3\n4,5,6,7\n")).toBe("line 3: expected 3 fields as in the first line, found 4");
  });

  it("names an unclosed quote", async () => {
    expect(await messageOf('a,b\n1,"2\n3,4\n')).toMatch(/quote/i);
  });

  it("refuses empty input, a blank first line, a header without rows, control characters and too many columns", async () => {
    expect(await messageOf("")).toBe("the file is empty");
    expect(await messageOf("\n\n\n")).toBe("the first line is empty; it must name the columns (or hold the first row)");
    expect(await messageOf("a,b\n")).toBe("the file has a header but no rows");
    expect(await messageOf("a,b\u0000x\n1,2\n")).toBe("the name of column 2 contains a control character");
    // Found by the property test: a header over blank lines.
    expect(await messageOf("#\n\n")).toBe("every column is empty: the file has no values");
    const wide = Array.from({ length: 2001 }, (_, i) => `c${i}`).join(",");
    expect(await messageOf(`${wide}\n`)).toBe("the file has 2001 columns; at most 2000 are accepted (MAX_CSV_COLUMNS)");
    // Far wider, with a row: refused before DuckDB's sniffer, which ran out of memory on it (a 500).
    const wider = Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(";");
    expect(await messageOf(`${wider}\n${wider}\n`)).toBe("the file has 50000 columns; at most 2000 are accepted (MAX_CSV_COLUMNS)");
    // A narrow first line over far wider rows: the sniffer's memory runs out, named as such (a 4xx).
    expect(await messageOf(`a;b\n${wider}\n${wider}\n`)).toMatch(/too wide or too long to read within DUCKDB_MEMORY_LIMIT/);
  });

  it("names compressed and binary files for what they are", async () => {
    const { gzipSync } = await import("node:zlib");
    const refused = async (bytes: Buffer) => ((await rejectWith(bytes)) as Error).message;
    expect(await refused(gzipSync(Buffer.from("a,b\n1,2\n")))).toBe("the file is gzip-compressed; decompress it and upload the CSV inside");
    expect(await refused(Buffer.from("PK\u0003\u0004rest of a workbook", "latin1"))).toMatch(/^the file is a ZIP archive/);
    expect(await refused(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x3e, 0x00]))).toMatch(
      /^the file is not text/,
    );
    // UTF-16 holds NUL bytes and is text all the same.
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b\n1,2\n3,4\n", "utf16le")]);
    expect((await importText(utf16)).rows).toBe(2);
  });
});

describe("number columns read by the CSV reader itself", () => {
  const limits = { maxColumns: 1000, maxLineBytes: 1 << 20 };
  /** The file stored both ways (typed by the reader, and converted and checked value by value): rows or error. */
  async function bothWays(csv: string, choices: Record<string, ColumnChoice>) {
    const dir = await store.scratchDir();
    const file = `${dir}/in.csv`;
    fs.writeFileSync(file, csv);
    const p = await prepareCsv(file, dir, {}, limits);
    const columns = applyChoices((await profileCsv(p, limits)).columns, choices);
    const stored = async (typed: boolean) => {
      try {
        const out = `${dir}/${typed}.parquet`;
        const shape = await csvToParquetFile(p, columns, out, limits, { typed });
        const rows = await withDuck((conn) => readColumns(conn, `read_parquet('${out}')`, shape.columns));
        return { shape, rows };
      } catch (e) {
        return { error: e instanceof CsvError ? e.message : `not a CsvError: ${String(e)}` };
      }
    };
    return { typed: await stored(true), checked: await stored(false) };
  }

  const spellings = [" 39.1", "39.1 ", "  ", "+3", ".5", "5.", "1e5", "1E-3", "-0", "inf", "-inf", "Infinity", "nan", "0x1A", "1_000", "1,5", "1.5.5", "12abc", "١٢", "1e400", "00012", "+.5e+2", "\t7", "NA", ""];
  it.each(spellings)("stores %j as the checked path does, or fails with its message", async (v) => {
    const csv = `x,y,when\n1.5,a,2024-01-02\n"${v}",b,2024-01-03\n`;
    const { typed, checked } = await bothWays(csv, { x: { kind: "float" } });
    expect(typed).toEqual(checked);
  });

  it("stores a clean file on the typed path itself (it does not fall back)", async () => {
    const dir = await store.scratchDir();
    const file = `${dir}/in.csv`;
    fs.writeFileSync(file, "x,y,n\n1.5,a,3\n,b,4\n-0,c,NA\n");
    const p = await prepareCsv(file, dir, {}, limits);
    const columns = (await profileCsv(p, limits)).columns;
    const shape = await csvToParquetFile(p, columns, `${dir}/only.parquet`, limits, { typed: "only" });
    const rows = await withDuck((conn) => readColumns(conn, `read_parquet('${dir}/only.parquet')`, shape.columns));
    expect(rows).toEqual({ x: [1.5, null, -0], y: ["a", "b", "c"], n: [3, 4, null] });
    // And a file it cannot read so fails there, where the import falls back.
    fs.writeFileSync(file, "x,y\n1.5,a\n12abc,b\n");
    const q = await prepareCsv(file, dir, {}, limits);
    const floats = applyChoices((await profileCsv(q, limits)).columns, { x: { kind: "float" } });
    await expect(csvToParquetFile(q, floats, `${dir}/only2.parquet`, limits, { typed: "only" })).rejects.toThrow(/Conversion Error/);
  });

  it("takes the checked path for a decimal comma it cannot read, and for other columns' misfits", async () => {
    const comma = await bothWays("x;y\n1,5;a\n39.1;b\n.5;c\n", { x: { kind: "float" } });
    expect(comma.typed).toEqual(comma.checked);
    expect((comma.typed as { rows: Record<string, unknown[]> }).rows.x).toEqual([1.5, 39.1, 0.5]);
    const date = await bothWays("x,when\n1,2024-01-02\n2,not a date\n", { when: { kind: "date", format: "%Y-%m-%d" } });
    expect(date.typed).toEqual(date.checked);
    expect((date.typed as { error: string }).error).toMatch(/when/);
  });
});
