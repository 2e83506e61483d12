import { afterAll, describe, expect, it } from "vitest";
import { demoCsv } from "~/lib/templates/demo";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, runExecutor } from "../testing";
import { executor, testIndices } from "./execute";

const { store, cleanup } = tempStore();
afterAll(cleanup);

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
});
