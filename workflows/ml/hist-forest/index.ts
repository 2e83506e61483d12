/**
 * Millrace's histogram random forest. `trainForest` is the whole thing on one machine;
 * the fan-out path uses the same pieces: prepareTraining → growTrees (per slice) → assemble.
 */
import { assemble, type FlatForest } from "./model";
import { growTrees, type GrowOptions } from "./pool";
import { oobScore, prepareTraining, treeParams, type FeatureInput, type ForestOptions, type Label } from "./train";

export { ForestPredictor, assemble, type FlatForest } from "./model";
export { encodeForest, decodeForest, isForestFile } from "./format";
export * from "./train";
export { growTrees, defaultThreads } from "./pool";

export async function trainForest(
  features: FeatureInput[],
  target: ArrayLike<Label>,
  opts: ForestOptions,
  run: Omit<GrowOptions, "oob"> = {},
): Promise<{ forest: FlatForest; classes: Label[] | null }> {
  const prepared = prepareTraining(features, target, opts);
  const K = prepared.classes?.length ?? 1;
  const params = treeParams(opts, features.length, K);
  const indices = Array.from({ length: opts.nEstimators }, (_, i) => i);
  const { trees, oob } = await growTrees(prepared.set, params, opts.seed, indices, { ...run, oob: opts.oobScore });
  const score = oob ? oobScore(prepared.set, K, oob) : null;
  return { forest: assemble(opts.task, K, prepared.binnings, trees, score), classes: prepared.classes };
}
