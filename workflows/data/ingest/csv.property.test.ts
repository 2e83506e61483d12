/** Property tests (fast-check): any bytes uploaded as CSV become a dataset or a CsvError, nothing else. */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { tempStore } from "~/workflows/artifacts/testing";
import { CsvError, importCsvBytes } from "./index";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const cell = fc.oneof(fc.constantFrom("", "1", "-2.5", "NA", "true", '"q,uoted"', '"', "x\u0000y", "é", ";"), fc.string({ maxLength: 6 }));
const csvText = fc
  .array(fc.array(cell, { minLength: 0, maxLength: 5 }), { maxLength: 6 })
  .chain((rows) => fc.constantFrom("\n", "\r\n").map((eol) => rows.map((r) => r.join(",")).join(eol)));

describe("CSV import (property)", () => {
  it("stores or refuses any input with a CsvError, never another error", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvText.map((t) => Buffer.from(t)), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))), async (bytes) => {
        try {
          const { rows, columns } = await importCsvBytes(store, `prop/${n++}.parquet`, bytes);
          expect(rows).toBeGreaterThan(0);
          expect(columns.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(e instanceof CsvError)) throw new Error(`not a CsvError for ${JSON.stringify(bytes.toString())}: ${String(e)}`);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
