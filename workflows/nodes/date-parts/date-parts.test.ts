import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { describe as describeRelation, parquet, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { readRows, replayed, runExecutor } from "../testing";
import { executor } from "./execute";
import { CLOCK, datePattern, ISO8601, readDate, type DatePattern } from "~/lib/pipeline/dates";
import { partOf, spec, type DatePart } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

/** Columns kept as text (as ingest keeps dates), each given the kind and format the map says. */
async function textDataset(key: string, csv: string, formats: Record<string, [ColumnSchema["kind"], string]>): Promise<DatasetRef> {
  const dir = await store.scratchDir();
  fs.writeFileSync(`${dir}/in.csv`, csv);
  return withDuck(async (conn) => {
    await writeParquet(conn, `SELECT * FROM read_csv(${quoteString(`${dir}/in.csv`)}, header = true, all_varchar = true, delim = ';')`, `${dir}/out.parquet`);
    const shape = await describeRelation(conn, parquet(`${dir}/out.parquet`));
    const columns = shape.columns.map((c) => (formats[c.name] ? { ...c, kind: formats[c.name]![0], format: formats[c.name]![1] } : c));
    const uri = await store.putFile(key, `${dir}/out.parquet`);
    return { kind: "dataset", uri, rows: shape.rows, columns, lineage: { rawColumns: columns, steps: [] } };
  });
}

const pattern = (format: string) => datePattern(format) as DatePattern;
const parts = (value: unknown, format: string, which: DatePart[] = ["year", "month", "day", "hour", "minute"]) => {
  const f = readDate(value, pattern(format));
  return f && which.map((p) => partOf(p, f));
};

describe("date-parts: reading dates as ingest writes them", () => {
  it("reads every date format ingest infers", () => {
    const day = ["year", "month", "day"] as DatePart[];
    expect(parts("2024-03-05", "%Y-%m-%d", day)).toEqual([2024, 3, 5]);
    expect(parts("05/03/2024", "%d/%m/%Y", day)).toEqual([2024, 3, 5]);
    expect(parts("03/05/2024", "%m/%d/%Y", day)).toEqual([2024, 3, 5]);
    expect(parts("05.03.2024", "%d.%m.%Y", day)).toEqual([2024, 3, 5]);
    expect(parts("2024/03/05", "%Y/%m/%d", day)).toEqual([2024, 3, 5]);
    expect(parts("05-03-2024", "%d-%m-%Y", day)).toEqual([2024, 3, 5]);
    // Digits as DuckDB's strptime takes them: one or two for day and month, spaces around.
    expect(parts(" 5/3/2024 ", "%d/%m/%Y", day)).toEqual([2024, 3, 5]);
  });

  it("reads every datetime format ingest infers, ISO 8601 in the time as written", () => {
    expect(parts("2024-03-05 14:07:09", "%Y-%m-%d %H:%M:%S")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("2024-03-05 14:07", "%Y-%m-%d %H:%M")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("05/03/2024 14:07:09", "%d/%m/%Y %H:%M:%S")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("05/03/2024 14:07", "%d/%m/%Y %H:%M")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("03/05/2024 14:07:09", "%m/%d/%Y %H:%M:%S")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("03/05/2024 14:07", "%m/%d/%Y %H:%M")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("05.03.2024 14:07", "%d.%m.%Y %H:%M")).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("2024-03-05T14:07", ISO8601)).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("2024-03-05 14:07:09.123456", ISO8601)).toEqual([2024, 3, 5, 14, 7]);
    expect(parts("2024-03-05T23:30:00Z", ISO8601)).toEqual([2024, 3, 5, 23, 30]);
    // The zone is not applied: 23:30 in New York stays the evening of the 5th.
    expect(parts("2024-03-05T23:30:00-05:00", ISO8601)).toEqual([2024, 3, 5, 23, 30]);
    expect(parts("2024-03-05T01:15:00+0200", ISO8601)).toEqual([2024, 3, 5, 1, 15]);
    expect(parts("9:05", CLOCK, ["hour", "minute"])).toEqual([9, 5]);
    expect(parts("09:05:07.5", CLOCK, ["hour", "minute"])).toEqual([9, 5]);
  });

  it("gives nothing for values that are not real dates or times, or not text", () => {
    for (const [value, format] of [
      ["2023-02-29", "%Y-%m-%d"],
      ["1900-02-29", "%Y-%m-%d"],
      ["2024-04-31", "%Y-%m-%d"],
      ["2024-13-01", "%Y-%m-%d"],
      ["2024-00-10", "%Y-%m-%d"],
      ["0000-01-01", "%Y-%m-%d"],
      ["2024-03-05x", "%Y-%m-%d"],
      ["12024-03-05", "%Y-%m-%d"],
      ["2024-03-05T24:00", ISO8601],
      ["2024-03-05T12:00+02", "%Y-%m-%d"],
      ["24:00", CLOCK],
      ["12:60", CLOCK],
      ["2024-03-05 10:00:60", "%Y-%m-%d %H:%M:%S"],
      ["", "%Y-%m-%d"],
      [20240305, "%Y-%m-%d"],
      [null, "%Y-%m-%d"],
      [undefined, "%Y-%m-%d"],
    ] as const) {
      expect(readDate(value, pattern(format)), String(value)).toBeNull();
    }
    expect(parts("2024-02-29", "%Y-%m-%d", ["day"])).toEqual([29]);
    expect(parts("2000-02-29", "%Y-%m-%d", ["day"])).toEqual([29]);
  });

  it("counts weekdays from Monday = 0 and days of the year from 1", () => {
    const all: DatePart[] = ["day_of_week", "day_of_year", "is_weekend"];
    expect(parts("2024-01-01", "%Y-%m-%d", all)).toEqual([0, 1, 0]);
    expect(parts("2024-01-06", "%Y-%m-%d", all)).toEqual([5, 6, 1]);
    expect(parts("2024-01-07", "%Y-%m-%d", all)).toEqual([6, 7, 1]);
    expect(parts("2024-12-31", "%Y-%m-%d", all)).toEqual([1, 366, 0]);
    expect(parts("2023-12-31", "%Y-%m-%d", all)).toEqual([6, 365, 1]);
    expect(parts("0001-01-01", "%Y-%m-%d", all)).toEqual([0, 1, 0]);
  });

  it("explains formats it cannot read", () => {
    expect(datePattern("%d %b %Y")).toBe("its format '%d %b %Y' uses %b, which date parts cannot read (only %Y %m %d %H %M %S)");
    expect(datePattern("%Y-%m")).toBe("its format '%Y-%m' has part of a date: date parts needs %Y, %m and %d together");
    expect(datePattern("%H:%M")).toEqual({ regex: "([0-9]{1,2}):([0-9]{1,2})", fields: ["H", "M"] });
  });
});

// Valid values, and ones a user could have typed into a column marked as a date: both engines must agree.
const csv = [
  "day;at;clock;label",
  "05/03/2024;2024-03-05T23:30:00-05:00;9:05;x",
  "6/1/2024;2024-01-06 08:00;23:59:59;y",
  "31/12/2023;2024-12-31T00:00:00.5Z;00:00;x",
  "29/02/2023;2024-02-30T10:00;24:00;y",
  "1/13/2024;2024-03-05T24:00;12:60;x",
  "junk;2024-03-05 10:00+0200;;y",
  ";;07:30:00.25;x",
].join("\n");

describe("date-parts", () => {
  it("adds the parts in place of the column, computing them exactly as the endpoint does", async () => {
    const src = await textDataset("t/dp1.parquet", csv, { day: ["date", "%d/%m/%Y"], at: ["datetime", ISO8601], clock: ["time", CLOCK] });
    const { outputs } = await runExecutor(store, executor, { column: "day" }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    const names = ["day_year", "day_month", "day_day", "day_day_of_week", "day_day_of_year", "day_is_weekend"];
    expect(out.columns.map((c) => c.name)).toEqual([...names, "at", "clock", "label"]);
    expect(out.columns[0]).toEqual({ name: "day_year", type: "number", nullable: true, kind: "integer" });
    expect((await readRows(store, out)).map((r) => names.map((n) => r[n]))).toEqual([
      [2024, 3, 5, 1, 65, 0],
      [2024, 1, 6, 5, 6, 1],
      [2023, 12, 31, 6, 365, 1],
      [null, null, null, null, null, null],
      [null, null, null, null, null, null],
      [null, null, null, null, null, null],
      [null, null, null, null, null, null],
    ]);
    expect(out.lineage.steps).toEqual([{ type: "date-parts", params: { column: "day", format: "%d/%m/%Y", parts: ["year", "month", "day", "day_of_week", "day_of_year", "is_weekend"], drop: true } }]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);
  });

  it("takes ISO 8601 times as written, keeps the column when asked, and agrees with the endpoint on bad values", async () => {
    const src = await textDataset("t/dp2.parquet", csv, { day: ["date", "%d/%m/%Y"], at: ["datetime", ISO8601], clock: ["time", CLOCK] });
    const { outputs } = await runExecutor(store, executor, { column: "at", parts: ["hour", "day", "is_weekend"], dropOriginal: false }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["day", "at", "at_hour", "at_day", "at_is_weekend", "clock", "label"]);
    expect(out.columns[1]).toMatchObject({ name: "at", kind: "datetime", format: ISO8601 });
    expect((await readRows(store, out)).map((r) => [r.at_hour, r.at_day, r.at_is_weekend])).toEqual([
      [23, 5, 0],
      [8, 6, 1],
      [0, 31, 0],
      [null, null, null],
      [null, null, null],
      [10, 5, 0],
      [null, null, null],
    ]);
    const { served, written } = await replayed(store, src, out);
    expect(served).toEqual(written);

    const clock = await runExecutor(store, executor, { column: "clock" }, { dataset: src });
    const byClock = clock.outputs.dataset as DatasetRef;
    expect((await readRows(store, byClock)).map((r) => [r.clock_hour, r.clock_minute])).toEqual([[9, 5], [23, 59], [0, 0], [null, null], [null, null], [null, null], [7, 30]]);
    const again = await replayed(store, src, byClock);
    expect(again.served).toEqual(again.written);
  });

  it("says which raw field each part reads, and leaves an absent field's parts missing", () => {
    const params = { column: "day", format: "%Y-%m-%d", parts: ["year", "is_weekend"] as DatePart[], drop: true };
    expect(spec.reads!(params)).toEqual({ day_year: ["day"], day_is_weekend: ["day"] });
    const row: Record<string, unknown> = { other: 1 };
    spec.replay!(params)(row);
    expect(row).toEqual({ other: 1, day_year: null, day_is_weekend: null });
  });

  it("names what is wrong with the column and the parts at compile time", () => {
    const cols: ColumnSchema[] = [
      { name: "day", type: "string", nullable: false, kind: "date", format: "%Y-%m-%d" },
      { name: "clock", type: "string", nullable: true, kind: "time" },
      { name: "when", type: "string", nullable: false, kind: "datetime", format: "%d %b %Y %H:%M" },
      { name: "city", type: "string", nullable: false, kind: "categorical" },
      { name: "day_month", type: "number", nullable: false },
    ];
    const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: cols }, datasetColumns: () => undefined });
    expect(infer({}).errors).toEqual([{ path: "column", message: "choose a date, datetime or time column" }]);
    expect(infer({ column: "nope" }).errors).toEqual([{ path: "column", message: "column 'nope' is not in the input" }]);
    expect(infer({ column: "city" }).errors).toEqual([{ path: "column", message: "column 'city' is categorical, not a date, datetime or time" }]);
    expect(infer({ column: "when" }).errors).toEqual([
      { path: "column", message: "column 'when': its format '%d %b %Y %H:%M' uses %b, which date parts cannot read (only %Y %m %d %H %M %S)" },
    ]);
    expect(infer({ column: "day", parts: ["year", "hour", "year", "month"] }).errors).toEqual([
      { path: "parts.1", message: "'day' has no hour (its format is %Y-%m-%d)" },
      { path: "parts.2", message: "'year' is listed twice" },
      { path: "parts.3", message: "column 'day_month' already exists" },
    ]);
    expect(infer({ column: "day" }).errors).toEqual([{ path: "parts", message: "column 'day_month' already exists" }]);
    // A time without a format reads as ingest assumes: hh:mm[:ss].
    expect(infer({ column: "clock", dropOriginal: false })).toEqual({
      errors: [],
      outputs: {
        dataset: [
          cols[0],
          cols[1],
          { name: "clock_hour", type: "number", nullable: true, kind: "integer" },
          { name: "clock_minute", type: "number", nullable: true, kind: "integer" },
          ...cols.slice(2),
        ],
      },
    });
  });
});
