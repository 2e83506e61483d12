import { afterAll, describe, expect, it } from "vitest";
import { tempStore } from "~/workflows/artifacts/testing";
import { CsvError, csvToParquet } from "./import-csv";

const { store, cleanup } = tempStore();
afterAll(cleanup);
const rejectWith = (csv: string) => csvToParquet(store, "x/data.parquet", Buffer.from(csv)).catch((e: unknown) => e);
const messageOf = async (csv: string) => {
  const e = await rejectWith(csv);
  expect(e).toBeInstanceOf(CsvError);
  return (e as CsvError).message;
};

describe("CSV import errors", () => {
  it("names the line of a row with the wrong number of fields", async () => {
    const e = await rejectWith("a,b,c\n1,2,3\n4,5\n6,7,8\n");
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).line).toBe(3);
    expect((e as CsvError).message).toBe("line 3: expected 3 fields as in the header, found 2");
  });

  it("names a ragged last row instead of taking it for the header", async () => {
    expect(await messageOf("a,b,c\n1,2,3\n4,5,6,7\n")).toBe("line 3: expected 3 fields as in the header, found 4");
  });

  it("names an unclosed quote", async () => {
    expect(await messageOf('a,b\n1,"2\n3,4\n')).toMatch(/quote/i);
  });

  it("rejects empty input, blank lines, a header without rows", async () => {
    expect(await messageOf("")).toBe("the CSV is empty");
    expect(await messageOf("\n\n\n")).toBe("the first line must name the columns; it is empty");
    expect(await messageOf("a,b\n")).toBe("the CSV has a header but no rows");
  });

  it("checks the header: names, duplicates, control characters and the column limit", async () => {
    expect(await messageOf("a,,c\n1,2,3\n")).toBe("column 2 has no name in the header");
    expect(await messageOf("a,b,a\n1,2,3\n")).toBe("column 'a' appears twice in the header (columns 1 and 3)");
    expect(await messageOf("a,b\u0000x\n1,2\n")).toBe("the name of column 2 contains a control character");
    const wide = Array.from({ length: 2001 }, (_, i) => `c${i}`).join(",");
    expect(await messageOf(`${wide}\n`)).toBe("the CSV has 2001 columns; at most 2000 are accepted (MAX_CSV_COLUMNS)");
  });

  it("stores a good CSV as Parquet with Millrace's column types and missing values", async () => {
    const { uri, rows, columns } = await csvToParquet(store, "ok/data.parquet", Buffer.from("x,label,flag\n1.5,a,true\n,b,false\n"));
    expect(uri).toBe("artifact:ok/data.parquet");
    expect(rows).toBe(2);
    expect(columns).toEqual([
      { name: "x", type: "number", nullable: true },
      { name: "label", type: "string", nullable: false },
      { name: "flag", type: "boolean", nullable: false },
    ]);
  });
});
