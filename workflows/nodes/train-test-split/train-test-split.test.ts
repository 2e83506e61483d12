import { afterAll, describe, expect, it } from "vitest";
import { demoCsv } from "~/lib/templates/demo";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { importCsvBytes } from "~/workflows/data/ingest";
import { executor, stratifiedTestIndices, testIndices } from "./execute";

const { store, cleanup } = tempStore();
afterAll(cleanup);

/** A dataset as an upload makes it: dates kept as written, with the format ingest found. */
async function ingested(key: string, csv: string): Promise<DatasetRef> {
  const { uri, rows, columns } = await importCsvBytes(store, key, new TextEncoder().encode(csv));
  return { kind: "dataset", uri, rows, columns, lineage: { rawColumns: columns, steps: [] } };
}

describe("train-test-split", () => {
  it("draws held-out rows deterministically by seed", () => {
    const a = testIndices(1000, 0.2, 42);
    expect(a).toHaveLength(200);
    expect(new Set(a).size).toBe(200);
    expect([...testIndices(1000, 0.2, 42)]).toEqual([...a]);
    expect([...testIndices(1000, 0.2, 43)]).not.toEqual([...a]);
  });

  it("partitions the rows into disjoint train and test sets", async () => {
    const src = await datasetFromCsv(store, "t/split.parquet", demoCsv(100));
    const { outputs } = await runExecutor(store, executor, { testFraction: 0.25, seed: 1 }, { dataset: src });
    const train = await readRows(store, outputs.train!);
    const test = await readRows(store, outputs.test!);
    expect(train).toHaveLength(75);
    expect(test).toHaveLength(25);
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    const all = new Set((await readRows(store, src)).map(key));
    const seen = new Set([...train, ...test].map(key));
    expect(seen).toEqual(all);
  });

  it("refuses a split that leaves a side empty", async () => {
    const src = await datasetFromCsv(store, "t/split2.parquet", "a\n1\n2\n");
    await expect(runExecutor(store, executor, { testFraction: 0.1 }, { dataset: src })).rejects.toThrow(
      /leaves an empty train or test set for 2 rows/,
    );
  });

  it("stratifies by the dataset's target: each class keeps its share of the test set", async () => {
    // 70 'a', 20 'b', 10 'c'; a 20% test set holds 14, 4 and 2 of them.
    const labels = [...Array(70).fill("a"), ...Array(20).fill("b"), ...Array(10).fill("c")];
    const csv = ["x,label", ...labels.map((l, i) => `${i},${l}`)].join("\n");
    const src = await datasetFromCsv(store, "t/split3.parquet", csv, { label: "target" });
    const { outputs, metrics } = await runExecutor(store, executor, { seed: 7 }, { dataset: src });
    const test = await readRows(store, outputs.test!);
    const count = (rows: Record<string, unknown>[], l: string) => rows.filter((r) => r.label === l).length;
    expect([count(test, "a"), count(test, "b"), count(test, "c")]).toEqual([14, 4, 2]);
    expect(metrics).toMatchObject({ stratified: 1, train_rows: 80, test_rows: 20 });
    // The role travels with the data.
    expect(outputs.train!.kind === "dataset" && outputs.train!.columns.find((c) => c.name === "label")?.role).toBe("target");
  });

  it("allocates leftover test rows to the largest remainders, exactly the test size", () => {
    // 5 / 3 / 2 rows at 50%: quotas 2.5 / 1.5 / 1 → floors 2, 1, 1 and one more to the first largest remainder.
    const labels = ["x", "x", "x", "x", "x", "y", "y", "y", "z", "z"];
    const idx = stratifiedTestIndices(labels, 0.5, 3);
    expect(idx).toHaveLength(5);
    const per = (l: string) => [...idx].filter((i) => labels[i] === l).length;
    expect([per("x"), per("y"), per("z")]).toEqual([3, 1, 1]);
    expect([...stratifiedTestIndices(labels, 0.5, 3)]).toEqual([...idx]);
  });

  it("does not stratify a continuous target under auto", async () => {
    const csv = ["x,y", ...Array.from({ length: 100 }, (_, i) => `${i},${i * 1.5}`)].join("\n");
    const src = await datasetFromCsv(store, "t/split4.parquet", csv, { y: "target" });
    const { metrics } = await runExecutor(store, executor, {}, { dataset: src });
    expect(metrics).toMatchObject({ stratified: 0, test_rows: 20 });
  });

  it("splits by time: the latest rows are the test set, dates read with the source's format", async () => {
    const days = ["03/01/2024", "15/12/2023", "01/02/2024", "20/01/2024", "05/11/2023"];
    const dated = await ingested("t/split5.parquet", ["day,v", ...days.map((d, i) => `${d},${i}`)].join("\n"));
    expect(dated.columns[0]).toMatchObject({ kind: "date", format: "%d/%m/%Y" });
    const { outputs } = await runExecutor(store, executor, { method: "time", timeColumn: "day", testFraction: 0.4 }, { dataset: dated });
    // Latest two: 01/02/2024 and 20/01/2024 (day-first), in file order.
    expect((await readRows(store, outputs.test!)).map((r) => r.v)).toEqual([2, 3]);
    expect((await readRows(store, outputs.train!)).map((r) => r.v)).toEqual([0, 1, 4]);
  });

  it("refuses a time split over rows without a readable time, naming the column", async () => {
    const dated = await ingested("t/split6.parquet", "t,v\n2024-01-01,1\n,2\n2024-01-03,3\n");
    await expect(runExecutor(store, executor, { method: "time", timeColumn: "t", testFraction: 0.34 }, { dataset: dated })).rejects.toThrow(
      "column 't' has 1 rows without a readable time",
    );
  });
});
