import { UserError } from "~/lib/errors";
import { take } from "~/workflows/artifacts/handover";
import { parseModelFile, type ModelFile } from "~/workflows/model/model-file";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { scoreOnHoldout } from "./holdout";
import { spec } from "./spec";

/**
 * The model's fitted steps the test set has not been through: none when it was split after the
 * cleaning and features, all of them when it was split off the raw data. Anything else means the
 * test set took another path than the training data, and its scores would mean nothing.
 */
export function pendingSteps(
  file: ModelFile,
  testSteps: { type: string; params: unknown }[],
  rows = { name: "the test set", fix: "connect the test output of the split that feeds the train node" },
) {
  const model = file.lineage.steps;
  const same = testSteps.length <= model.length && testSteps.every((s, i) => JSON.stringify(s) === JSON.stringify(model[i]));
  if (!same) {
    throw new UserError(
      `${rows.name} went through other steps than the model's training data (${testSteps.map((s) => s.type).join(" → ") || "none"} vs ${model.map((s) => s.type).join(" → ") || "none"}); ${rows.fix}`,
    );
  }
  return model.slice(testSteps.length);
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { artifacts } = ctx;
  const modelRef = input(ctx, "model", "model");
  const test = input(ctx, "test", "dataset");
  // The model the train node just wrote in this process, if it left it (see handover.ts); else read.
  const file = (await take<ModelFile>(artifacts, modelRef.uri)) ?? parseModelFile(await artifacts.getBytes(modelRef.uri));
  const { result, predicted } = await scoreOnHoldout(artifacts, file, test, pendingSteps(file, test.lineage.steps));
  const predictionsUri = await artifacts.putBytes(artifactKey(ctx, "predictions.json"), new TextEncoder().encode(JSON.stringify(predicted)));
  await artifacts.putBytes(artifactKey(ctx, "metrics.json"), new TextEncoder().encode(JSON.stringify(result.metrics)));
  ctx.log(`scored ${test.rows} held-out rows`, Object.fromEntries(Object.entries(result.metrics).filter(([k]) => ["accuracy", "f1_macro", "roc_auc", "rmse", "mae", "r2"].includes(k))));
  return { outputs: { metrics: { kind: "metrics", values: result.metrics, report: result.charts, predictionsUri } }, metrics: result.metrics };
}

export const executor = defineExecutor(spec, { execute });
