import { describe, expect, it } from "vitest";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { MAX_OUTPUT_BYTES, oversizedOutputs } from "./executor";

const dataset = (steps: DatasetRef["lineage"]["steps"]): DatasetRef => ({
  kind: "dataset",
  uri: "artifact:runs/r/n/data.parquet",
  rows: 10,
  columns: [{ name: "city", type: "number", nullable: false }],
  lineage: { rawColumns: [{ name: "city", type: "string", nullable: false }], steps },
});

describe("oversizedOutputs", () => {
  it("passes outputs within the limit and names the heaviest fitted steps of those over it", () => {
    const categories = (n: number) => Array.from({ length: n }, (_, i) => `a rather long category name ${i}`);
    const small = { dataset: dataset([{ type: "fill-missing", params: { fills: { x: 0 } } }]) };
    expect(oversizedOutputs(small)).toBeNull();
    // 40,000 categories of ≈ 30 bytes: ≈ 1.3 MB, over the 1 MB a node's outputs may carry.
    const big = {
      dataset: dataset([
        { type: "fill-missing", params: { fills: { x: 0 } } },
        { type: "ordinal-encode", params: { columns: [{ column: "city", categories: categories(30_000) }] } },
        { type: "target-encode", params: { columns: [{ column: "street", categories: categories(10_000) }] } },
      ]),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_OUTPUT_BYTES);
    expect(oversizedOutputs(big)).toMatch(
      /^what this node passes on weighs 1\.\d MB, over the 1\.0 MB a node's outputs may carry through the workflow engine: its data's fitted steps travel with it \(heaviest: ordinal-encode 1\.\d MB, target-encode 0\.\d MB, fill-missing 0\.0 MB\); encode fewer columns, or columns with fewer distinct values$/,
    );
  });
});
