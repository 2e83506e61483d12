import { afterAll, describe, expect, it } from "vitest";
import { tempStore } from "~/workflows/artifacts/testing";
import { CsvError, csvToParquet } from "./import-csv";

const { store, cleanup } = tempStore();
afterAll(cleanup);
const rejectWith = (csv: string) => csvToParquet(store, "x/data.parquet", Buffer.from(csv)).catch((e: unknown) => e);

describe("CSV import errors", () => {
  it("names the line of a row with the wrong number of fields", async () => {
    const e = await rejectWith("a,b,c\n1,2,3\n4,5\n6,7,8\n");
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).line).toBe(3);
    expect((e as CsvError).message).toMatch(/^line 3: /);
  });
  it("names an unclosed quote", async () => {
    const e = await rejectWith('a,b\n1,"2\n3,4\n');
    expect(e).toBeInstanceOf(CsvError);
    expect((e as CsvError).message).toMatch(/quote/i);
  });
  it("rejects empty input and a header without rows", async () => {
    expect(((await rejectWith("")) as Error).message).toBe("the CSV body is empty");
    expect(((await rejectWith("a,b\n")) as Error).message).toBe("the CSV has a header but no rows");
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
