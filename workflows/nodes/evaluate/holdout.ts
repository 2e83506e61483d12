/**
 * Scoring a model on held-out rows: what the Evaluate node does, and what the retraining gate does
 * to score the champion and the challenger on the same rows.
 */
import { UserError } from "~/lib/errors";
import type { DatasetRef, LineageStep } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { parquet, readColumns, withDuck } from "~/workflows/data/duck";
import type { Label, ModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { scoreInThreads } from "~/workflows/ml/hist-forest/pool";
import { classificationMetrics, regressionMetrics } from "./metrics";

/** The test set's columns a model reads: its features and target (a UserError names one that is not there). */
function modelColumns(model: { features: string[]; target: string }, test: DatasetRef) {
  return [...model.features, model.target].map((name) => {
    const c = test.columns.find((col) => col.name === name);
    if (!c) throw new UserError(`column '${name}' the model needs is not in the test set`);
    return c;
  });
}

/**
 * Columns of the test set, read into memory; `features`: the number columns among them a model
 * reads as they are (no steps to replay) come as Float64Arrays (see readColumns).
 */
async function readTestColumns(artifacts: ArtifactStore, test: DatasetRef, columns: DatasetRef["columns"], features: string[]) {
  const path = await artifacts.localPath(test.uri);
  return withDuck((conn) => readColumns(conn, parquet(path), columns, new Set(features)));
}

/** Scores `file` on the test set, replaying the `pending` steps of its lineage the test set has not been through. */
export async function scoreOnHoldout(artifacts: ArtifactStore, file: ModelFile, test: DatasetRef, pending: LineageStep[]) {
  const target = test.columns.find((c) => c.name === file.target);
  if (!target) throw new UserError(`the target column '${file.target}' is not in the test set`);
  const needed = pending.length ? test.columns : modelColumns(file, test);
  // Read (on DuckDB's threads) while the model is laid out for scoring on this one.
  const reading = readTestColumns(artifacts, test, needed, pending.length ? [] : file.features);
  reading.catch(() => {});
  // The test rows are scored after the steps still to come, replayed as an endpoint replays them.
  const model = loadModel({ ...file, lineage: { ...file.lineage, steps: pending } } as ModelFile);
  const data = await reading;
  const actual = data[file.target] as (Label | null)[];
  const missing = actual.filter((a) => a === null).length;
  if (missing) throw new UserError(`the test set has ${missing} rows without a target ('${file.target}'); drop them before evaluating`);
  if (test.rows === 0) throw new UserError("the test set has no rows");
  let predicted: Label[];
  // Each row's class probabilities in the order of file.classes (classifiers that have them).
  let probabilities: number[][] | undefined;
  if (!pending.length && model.predictColumns) {
    // Nothing to replay: the model reads the test set's columns as they are, without a JS object per row.
    // Large test sets are scored on the training threads, a share of the rows each.
    ({ predictions: predicted, probabilities } = await model.predictColumns(data, test.rows, scoreInThreads));
  } else {
    const rows = Array.from({ length: test.rows }, (_, r) => Object.fromEntries(needed.filter((c) => c.name !== file.target).map((c) => [c.name, data[c.name]![r]])));
    const scored = file.task === "classification" ? model.predictProba?.(rows) : undefined;
    predicted = scored ? scored.predictions : model.predict(rows);
    probabilities = scored?.probabilities.map((p) => file.classes!.map((c) => p[String(c)]!));
  }
  const result =
    file.task === "classification"
      ? classificationMetrics(actual as Label[], predicted, probabilities && { classes: file.classes!, rows: probabilities })
      : regressionMetrics(actual as number[], predicted as number[]);
  return { result, predicted };
}
