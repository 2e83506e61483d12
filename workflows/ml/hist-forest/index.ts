/**
 * Millrace's histogram random forest. `trainForest` is the whole thing on one machine;
 * the fan-out path uses the same pieces: prepareTraining → growTrees (per slice) → assemble.
 */
import type { FlatForest } from "~/workflows/model/flat-forest";
import { assemble } from "./assemble";
import { growTrees, type GrowOptions } from "./pool";
import {
  decodeTraining,
  decodeTrees,
  encodeTrees,
  mergeOob,
  newOob,
  oobScore,
  prepareTraining,
  readTrainingHeader,
  treeParams,
  type FeatureInput,
  type ForestOptions,
  type Label,
} from "./train";

export { assemble } from "./assemble";
export * from "./train";
export { growTrees, warmThreads } from "./pool";

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

/** Splits trees 0..nTrees-1 into `slices` contiguous ranges, as even as they can be. */
export function sliceRanges(nTrees: number, slices: number): { first: number; count: number }[] {
  return Array.from({ length: slices }, (_, s) => {
    const first = Math.floor((s * nTrees) / slices);
    return { first, count: Math.floor(((s + 1) * nTrees) / slices) - first };
  });
}

/** One fan-out slice: grows trees [first, first + count) of a stored training set. */
export async function growSlice(training: Uint8Array, opts: ForestOptions, first: number, count: number, run: Omit<GrowOptions, "oob"> = {}) {
  const prepared = decodeTraining(training);
  const params = treeParams(opts, prepared.set.nFeatures, prepared.classes?.length ?? 1);
  const indices = Array.from({ length: count }, (_, i) => first + i);
  const { trees, oob } = await growTrees(prepared.set, params, opts.seed, indices, { ...run, oob: opts.oobScore });
  return encodeTrees(first, trees, oob);
}

/**
 * Joins slices (in any order) into the forest the whole job would have grown. The training
 * rows are decoded only when an out-of-bag score is asked for.
 */
export function mergeSlices(training: Uint8Array, opts: ForestOptions, slices: Uint8Array[]): FlatForest {
  const header = readTrainingHeader(training);
  const K = header.classes?.length ?? 1;
  const decoded = slices.map((b) => decodeTrees(b)).sort((a, b) => a.first - b.first);
  let score: number | null = null;
  if (opts.oobScore) {
    const oob = newOob(header.n, K);
    for (const d of decoded) if (d.oob) mergeOob(oob, d.oob);
    score = oobScore(decodeTraining(training).set, K, oob);
  }
  return assemble(opts.task, K, header.binnings, decoded.flatMap((d) => d.trees), score);
}
