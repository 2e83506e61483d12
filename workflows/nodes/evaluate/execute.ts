import { UserError } from "~/lib/errors";
import { parquet, readColumns, withDuck } from "~/workflows/data/duck";
import { parseModelFile, type Label, type ModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { classificationMetrics, regressionMetrics } from "./metrics";
import { spec } from "./spec";

/**
 * The model's fitted steps the test set has not been through: none when it was split after the
 * cleaning and features, all of them when it was split off the raw data. Anything else means the
 * test set took another path than the training data, and its scores would mean nothing.
 */
function pendingSteps(file: ModelFile, testSteps: { type: string; params: unknown }[]) {
  const model = file.lineage.steps;
  const same = testSteps.length <= model.length && testSteps.every((s, i) => JSON.stringify(s) === JSON.stringify(model[i]));
  if (!same) {
    throw new UserError(
      `the test set went through other steps than the model's training data (${testSteps.map((s) => s.type).join(" → ") || "none"} vs ${model.map((s) => s.type).join(" → ") || "none"}); connect the test output of the split that feeds the train node`,
    );
  }
  return model.slice(testSteps.length);
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { artifacts } = ctx;
  const modelRef = input(ctx, "model", "model");
  const test = input(ctx, "test", "dataset");
  const file = parseModelFile(await artifacts.getBytes(modelRef.uri));
  const pending = pendingSteps(file, test.lineage.steps);
  // The test rows are scored after the steps still to come, replayed as an endpoint replays them.
  const model = loadModel({ ...file, lineage: { ...file.lineage, steps: pending } } as ModelFile);
  const target = test.columns.find((c) => c.name === file.target);
  if (!target) throw new UserError(`the target column '${file.target}' is not in the test set`);
  const needed = pending.length ? test.columns : [...file.features, file.target].map((name) => {
    const c = test.columns.find((col) => col.name === name);
    if (!c) throw new UserError(`column '${name}' the model needs is not in the test set`);
    return c;
  });
  const path = await artifacts.localPath(test.uri);
  const data = await withDuck((conn) => readColumns(conn, parquet(path), needed));
  const actual = data[file.target]! as (Label | null)[];
  const missing = actual.filter((a) => a === null).length;
  if (missing) throw new UserError(`the test set has ${missing} rows without a target ('${file.target}'); drop them before evaluating`);
  if (test.rows === 0) throw new UserError("the test set has no rows");
  const rows = Array.from({ length: test.rows }, (_, r) => Object.fromEntries(needed.filter((c) => c.name !== file.target).map((c) => [c.name, data[c.name]![r]])));

  let result: { metrics: Record<string, number>; charts: unknown };
  let predicted: Label[];
  if (file.task === "classification") {
    const scored = model.predictProba?.(rows);
    predicted = scored ? scored.predictions : model.predict(rows);
    const proba = scored && { classes: file.classes!, rows: scored.probabilities.map((p) => file.classes!.map((c) => p[String(c)]!)) };
    result = classificationMetrics(actual as Label[], predicted, proba);
  } else {
    predicted = model.predict(rows);
    result = regressionMetrics(actual as number[], predicted as number[]);
  }
  const predictionsUri = await artifacts.putBytes(artifactKey(ctx, "predictions.json"), new TextEncoder().encode(JSON.stringify(predicted)));
  await artifacts.putBytes(artifactKey(ctx, "metrics.json"), new TextEncoder().encode(JSON.stringify(result.metrics)));
  ctx.log(`scored ${test.rows} held-out rows`, Object.fromEntries(Object.entries(result.metrics).filter(([k]) => ["accuracy", "f1_macro", "roc_auc", "rmse", "mae", "r2"].includes(k))));
  return { outputs: { metrics: { kind: "metrics", values: result.metrics, report: result.charts, predictionsUri } }, metrics: result.metrics };
}

export const executor = defineExecutor(spec, { execute });
