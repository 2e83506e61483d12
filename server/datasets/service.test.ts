import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { tempStore } from "../testing/local-executor";
import { CsvError, importCsv } from "./service";

const { store, cleanup } = tempStore();
afterAll(cleanup);
// These inputs are rejected before anything is written to the database.
const noDb = undefined as unknown as Db;
const rejectWith = (csv: string) => importCsv(noDb, store, "x", Buffer.from(csv)).catch((e: unknown) => e);

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
});
