import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { datasetFromCsv, readRows, replayed, runExecutor } from "../testing";
import { executor, foldsOf } from "./execute";
import { spec, type TargetEncodeParams } from "./spec";

const { store, cleanup } = tempStore();
afterAll(cleanup);

const dataset = (key: string, csv: string) => datasetFromCsv(store, key, csv, { y: "target" });

/** Numbers within 1e-9, anything else equal. */
function expectClose(actual: unknown[], expected: unknown[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i];
    if (typeof v === "number" && typeof e === "number") expect(Math.abs(v - e), `#${i}: ${v} vs ${e}`).toBeLessThan(1e-9);
    else expect(v, `#${i}`).toEqual(e);
  });
}

// Five rows make five folds of one row each: out of fold is leave one out, whatever the seed.
const regression = "city,n,y\na,1,2\na,2,4\nb,3,6\na,4,8\n,5,10\n";

describe("target-encode", () => {
  it("encodes each training row from the other folds only, smoothed towards their mean", async () => {
    const src = await dataset("t/te1.parquet", regression);
    const { outputs } = await runExecutor(store, executor, { smoothing: 1 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    const rows = await readRows(store, out);
    // Row 1 (a, 2): the others' mean is 28/4 = 7; a's other rows are 4 and 8: (12 + 7) / (2 + 1).
    // Row 2 (a, 4): others' mean 26/4; a's others 2, 8: (10 + 6.5) / 3. Row 3 (b): no other b, the
    // others' mean 24/4. Row 4 (a, 8): others' mean 22/4; a's others 2, 4: (6 + 5.5) / 3. Row 5: missing.
    expectClose(rows.map((r) => r.city), [19 / 3, 16.5 / 3, 6, 11.5 / 3, null]);
    expect(rows.map((r) => [r.n, r.y])).toEqual([[1, 2], [2, 4], [3, 6], [4, 8], [5, 10]]);
    expect(out.columns.map((c) => `${c.name}:${c.type}:${c.kind ?? ""}:${c.role ?? ""}`)).toEqual(["city:number:float:", "n:number::", "y:number::target"]);

    // The endpoint uses every row: mean 6; a = (14 + 6) / (3 + 1), b = (6 + 6) / (1 + 1).
    const params = out.lineage.steps[0]!.params as TargetEncodeParams;
    expect(params.target).toBe("y");
    expect(params.classes).toBeNull();
    expect(params.columns.map(({ column, outputs, categories, prior }) => ({ column, outputs, categories, prior }))).toEqual([
      { column: "city", outputs: ["city"], categories: ["a", "b"], prior: [6] },
    ]);
    expectClose(params.columns[0]!.values.flat(), [5, 6]);
    const { served, written } = await replayed(store, src, out);
    expectClose(served.map((r) => r.city), [5, 5, 6, 5, null]);
    // Everything but the encoded column is exactly what the executor wrote; the encoded one differs
    // on purpose (training rows never see their own target).
    expect(served.map(({ city: _c, ...rest }) => rest)).toEqual(written.map(({ city: _c, ...rest }) => rest));
    expect(served.map((r) => r.city)).not.toEqual(written.map((r) => r.city));
  });

  it("encodes the share of the positive class, the larger label, for two classes", async () => {
    const src = await dataset("t/te2.parquet", "city,y\na,spam\na,ham\nb,spam\na,spam\nc,ham\n");
    const { outputs } = await runExecutor(store, executor, { smoothing: 1 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    // Spam is the positive class. Row 1 (a): others spam 2 of 4; a's others ham, spam: (1 + 0.5) / 3.
    // Row 2 (a): others spam 3 of 4; a's others spam, spam: (2 + 0.75) / 3. Row 3 (b): 2 of 4.
    // Row 4 (a): others 2 of 4; a's others spam, ham: (1 + 0.5) / 3. Row 5 (c): 3 of 4.
    expectClose((await readRows(store, out)).map((r) => r.city), [1.5 / 3, 2.75 / 3, 0.5, 1.5 / 3, 0.75]);
    const params = out.lineage.steps[0]!.params as TargetEncodeParams;
    expect(params.classes).toEqual(["ham", "spam"]);
    // Every row: 3 of 5 are spam; a = (2 + 0.6) / 4, b = (1 + 0.6) / 2, c = 0.6 / 2.
    expect(params.columns[0]!.categories).toEqual(["a", "b", "c"]);
    expectClose(params.columns[0]!.values.flat(), [0.65, 0.8, 0.3]);
  });

  it("writes a column per class for more than two, and replays them for new and missing values", async () => {
    const src = await dataset("t/te3.parquet", "city,y\na,x\na,y\nb,x\na,x\nc,z\n");
    const { outputs } = await runExecutor(store, executor, { smoothing: 1 }, { dataset: src });
    const out = outputs.dataset as DatasetRef;
    expect(out.columns.map((c) => c.name)).toEqual(["city:x", "city:y", "city:z", "y"]);
    const rows = await readRows(store, out);
    expectClose(
      rows.flatMap((r) => [r["city:x"], r["city:y"], r["city:z"]]),
      [
        // Row 1 (a): others x 2/4, y 1/4, z 1/4; a's others y, x.
        (1 + 0.5) / 3, (1 + 0.25) / 3, 0.25 / 3,
        // Row 2 (a): others x 3/4, y 0, z 1/4; a's others x, x.
        (2 + 0.75) / 3, 0, 0.25 / 3,
        // Row 3 (b): no other b, the others' shares.
        0.5, 0.25, 0.25,
        // Row 4 (a): others x 2/4, y 1/4, z 1/4; a's others x, y.
        (1 + 0.5) / 3, (1 + 0.25) / 3, 0.25 / 3,
        // Row 5 (c): no other c.
        0.75, 0.25, 0,
      ],
    );
    const params = out.lineage.steps[0]!.params as TargetEncodeParams;
    expect(params.classes).toEqual(["x", "y", "z"]);
    expectClose(params.columns[0]!.prior, [0.6, 0.2, 0.2]);
    const apply = spec.replay!(params);
    const request: Record<string, unknown>[] = [{ city: "a" }, { city: "elsewhere" }, { city: null }, {}];
    for (const r of request) apply(r);
    expectClose(request.map((r) => [r["city:x"], r["city:y"], r["city:z"], "city" in r]).flat(), [0.65, 0.3, 0.05, false, 0.6, 0.2, 0.2, false, null, null, null, false, null, null, null, false]);
    expect(spec.reads!(params)).toEqual({ "city:x": ["city"], "city:y": ["city"], "city:z": ["city"] });
  });

  it("encodes from the seeded folds when they hold several rows", async () => {
    const cities = ["a", "b", "c", "d"];
    const data = Array.from({ length: 40 }, (_, i) => ({ city: cities[(i * 7) % 4]!, y: (i * 13) % 11 }));
    const src = await dataset("t/te5.parquet", `city,y\n${data.map((r) => `${r.city},${r.y}`).join("\n")}\n`);
    const { outputs } = await runExecutor(store, executor, { smoothing: 2, seed: 3 }, { dataset: src });
    const folds = foldsOf(40, 5, 3);
    const expected = data.map((row, i) => {
      const others = data.filter((_, j) => folds[j] !== folds[i]);
      const prior = others.reduce((s, r) => s + r.y, 0) / others.length;
      const same = others.filter((r) => r.city === row.city);
      return (same.reduce((s, r) => s + r.y, 0) + 2 * prior) / (same.length + 2);
    });
    expectClose((await readRows(store, outputs.dataset as DatasetRef)).map((r) => r.city), expected);
  });

  it("deals seeded folds of near-equal size", () => {
    const folds = foldsOf(23, 5, 7);
    expect([0, 1, 2, 3, 4].map((f) => folds.filter((x) => x === f).length)).toEqual([5, 5, 5, 4, 4]);
    expect(foldsOf(23, 5, 7)).toEqual(folds);
    expect(foldsOf(23, 5, 8)).not.toEqual(folds);
  });

  it("refuses a missing target, naming how many rows lack it", async () => {
    const src = await dataset("t/te4.parquet", "city,y\na,1\nb,\na,3\nb,\n");
    const run = runExecutor(store, executor, {}, { dataset: src });
    await expect(run).rejects.toThrow(UserError);
    await expect(runExecutor(store, executor, {}, { dataset: src })).rejects.toThrow(
      "the target 'y' is missing in 2 row(s); target encoding needs it in every row (drop or fill those rows first)",
    );
  });

  it("checks target, task and columns at compile time, and knows its columns unless classes decide them", () => {
    const cols: ColumnSchema[] = [
      { name: "city", type: "string", nullable: true, kind: "categorical" },
      { name: "code", type: "string", nullable: false, role: "id" },
      { name: "n", type: "number", nullable: false },
      { name: "y", type: "number", nullable: false, role: "target" },
      { name: "label", type: "string", nullable: false },
      { name: "ok", type: "boolean", nullable: false },
    ];
    const infer = (config: Record<string, unknown>, columns = cols) => spec.infer!({ config: spec.config.parse(config), inputs: { dataset: columns }, datasetColumns: () => undefined });
    const encoded = { name: "city", type: "number", nullable: true, kind: "float" };
    // By default every categorical feature: city, and label while it is not the target.
    expect(infer({})).toEqual({ errors: [], outputs: { dataset: [encoded, cols[1], cols[2], cols[3], { name: "label", type: "number", nullable: false, kind: "float" }, cols[5]] } });
    expect(infer({ target: "ok" }).outputs!.dataset![0]).toEqual(encoded);
    expect(infer({ target: "label" })).toEqual({ errors: [] });
    expect(infer({ target: "label", task: "regression", columns: ["n", "label", "nope"] }).errors).toEqual([
      { path: "task", message: "regression needs a numeric target; 'label' is string" },
      { path: "columns.0", message: "column 'n' is number; only text columns hold categories" },
      { path: "columns.1", message: "column 'label' is the target" },
      { path: "columns.2", message: "column 'nope' is not in the input" },
    ]);
    expect(infer({}, cols.filter((c) => c.name !== "y")).errors).toEqual([{ path: "target", message: "choose the target column (no column has the role target)" }]);
    expect(infer({ target: "gone" }).errors![0]).toEqual({ path: "target", message: "column 'gone' is not in the input" });
  });
});
