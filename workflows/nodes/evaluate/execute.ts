import { UserError } from "~/lib/errors";
import { parquet, readColumns, withDuck } from "~/workflows/data/duck";
import { parseModelFile, type Label } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { spec } from "./spec";

export function classificationMetrics(actual: Label[], predicted: Label[]) {
  const n = actual.length;
  const correct = actual.filter((a, i) => a === predicted[i]).length;
  // Macro F1 over the classes seen in either list.
  const labels = [...new Set([...actual, ...predicted])];
  const f1s = labels.map((l) => {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < n; i++) {
      if (predicted[i] === l && actual[i] === l) tp++;
      else if (predicted[i] === l) fp++;
      else if (actual[i] === l) fn++;
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return { accuracy: correct / n, f1_macro: f1s.reduce((a, b) => a + b, 0) / labels.length, test_rows: n };
}

export function regressionMetrics(actual: number[], predicted: number[]) {
  const n = actual.length;
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let se = 0, ae = 0, tot = 0;
  for (let i = 0; i < n; i++) {
    const d = actual[i]! - predicted[i]!;
    se += d * d;
    ae += Math.abs(d);
    tot += (actual[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: tot === 0 ? 0 : 1 - se / tot, test_rows: n };
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { artifacts } = ctx;
  const modelRef = input(ctx, "model", "model");
  const test = input(ctx, "test", "dataset");
  const model = loadModel(parseModelFile(await artifacts.getBytes(modelRef.uri)));
  const needed = [...model.file.features, model.file.target].map((name) => {
    const c = test.columns.find((col) => col.name === name);
    if (!c) throw new UserError(`column '${name}' the model needs is not in the test set`);
    return c;
  });
  const file = await artifacts.localPath(test.uri);
  const data = await withDuck((conn) => readColumns(conn, parquet(file), needed));
  const rows = Array.from({ length: test.rows }, (_, r) => Object.fromEntries(needed.map((c) => [c.name, data[c.name]![r]])));
  const predicted = model.predictPrepared(rows);
  const actual = data[model.file.target]! as Label[];
  const metrics =
    model.file.task === "classification"
      ? classificationMetrics(actual, predicted)
      : regressionMetrics(actual as number[], predicted as number[]);
  await artifacts.putBytes(artifactKey(ctx, "metrics.json"), new TextEncoder().encode(JSON.stringify(metrics)));
  return { outputs: { metrics: { kind: "metrics", values: metrics } }, metrics };
}

export const executor = defineExecutor(spec, { execute });
