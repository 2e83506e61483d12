/**
 * Training a forest: prepare (bin features, encode the target), grow trees on worker threads
 * that share the binned data through SharedArrayBuffers, assemble. Each tree's randomness
 * comes from (seed, tree index) alone, so the forest is identical for any number of threads,
 * processes or slices.
 */
import { binColumns, binCount, fitCategorical, fitNumeric, type FeatureBinning } from "~/workflows/model/binning";
import { encodeBundle, decodeBundle, readBundleHeader } from "~/workflows/model/bundle";
import type { BinTree, TrainingSet, TreeParams } from "./tree";

export type Label = string | number | boolean;
export type MaxFeatures = "sqrt" | "log2" | "all" | { fraction: number } | { count: number };

export interface ForestOptions {
  task: "classification" | "regression";
  nEstimators: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Candidate features per split. */
  maxFeatures: MaxFeatures;
  classWeight: "balanced" | null;
  oobScore: boolean;
  seed: number;
}

export interface FeatureInput {
  name: string;
  kind: "numeric" | "categorical";
  values: ArrayLike<unknown>;
}

export interface PreparedTraining {
  set: TrainingSet;
  binnings: FeatureBinning[];
  classes: Label[] | null;
}

/** sklearn's defaults: sqrt for classifiers, every feature for regressors. */
const defaultMaxFeatures = (task: ForestOptions["task"]): MaxFeatures => (task === "classification" ? "sqrt" : "all");

export function resolveMaxFeatures(m: MaxFeatures, F: number): number {
  const v =
    m === "sqrt" ? Math.sqrt(F) : m === "log2" ? Math.log2(F) : m === "all" ? F : "fraction" in m ? m.fraction * F : m.count;
  return Math.max(1, Math.min(F, Math.floor(v)));
}

/** Parses the node's text setting: auto, sqrt, log2, all, a fraction ("0.3") or a count ("5"). */
export function parseMaxFeatures(text: string, task: ForestOptions["task"]): MaxFeatures {
  if (text === "auto") return defaultMaxFeatures(task);
  if (text === "sqrt" || text === "log2" || text === "all") return text;
  return text.includes(".") ? { fraction: Number(text) } : { count: Number(text) };
}

export function treeParams(opts: ForestOptions, F: number, nClasses: number): TreeParams {
  return {
    task: opts.task,
    nClasses,
    maxDepth: opts.maxDepth,
    minSamplesLeaf: opts.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(opts.maxFeatures, F),
  };
}

/** A 32-bit seed per tree, mixed so neighbouring trees get unrelated streams. */
export function treeSeed(seed: number, tree: number) {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(tree + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

const compareLabels = (a: Label, b: Label) => (a < b ? -1 : a > b ? 1 : 0);

export function prepareTraining(features: FeatureInput[], target: ArrayLike<Label>, opts: Pick<ForestOptions, "task" | "classWeight">): PreparedTraining {
  const n = target.length;
  let classes: Label[] | null = null;
  let yClass: Uint16Array | null = null;
  let yReg: Float64Array | null = null;
  let classWeight: Float64Array | null = null;
  let score: Float64Array;
  if (opts.task === "classification") {
    classes = [...new Set(Array.from(target))].sort(compareLabels);
    if (classes.length > 65535) throw new Error("more than 65535 classes");
    const index = new Map(classes.map((c, i) => [c, i]));
    yClass = new Uint16Array(new SharedArrayBuffer(n * 2));
    for (let i = 0; i < n; i++) yClass[i] = index.get(target[i]!)!;
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < n; i++) counts[yClass[i]!]!++;
    if (opts.classWeight === "balanced") classWeight = counts.map((c) => (c > 0 ? n / (classes!.length * c) : 0));
    // Categories are ordered by how often they go with the most frequent class.
    const major = counts.indexOf(Math.max(...counts));
    score = Float64Array.from(yClass, (c) => (c === major ? 1 : 0));
  } else {
    yReg = new Float64Array(new SharedArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) yReg[i] = Number(target[i]);
    score = yReg;
  }
  const trainingBins: (Uint8Array | undefined)[] = [];
  const binnings = features.map((f, i) => {
    if (f.kind === "numeric") return fitNumeric(f.name, f.values as ArrayLike<number | null>);
    const fitted = fitCategorical(f.name, f.values, score);
    trainingBins[i] = fitted.trainingBins;
    return fitted.binning;
  });
  const binned = binColumns(binnings, features.map((f) => f.values), true, trainingBins, true);
  return {
    set: {
      n,
      nFeatures: features.length,
      bins: binned.bins,
      stride: binned.stride,
      nBins: Uint16Array.from(binnings, binCount),
      yClass,
      yReg,
      classWeight,
    },
    binnings,
    classes,
  };
}

/**
 * Stored training sets: MTS2 rows are padded to `stride` bytes; MTS1 (before) one byte a feature.
 * A worker of the version before reads MTS1 only, so it refuses a padded set rather than
 * stepping through its rows a byte short (during a rolling upgrade, a fan-out slice it takes fails
 * and is retried elsewhere).
 */
const TRAINING = "MTS2";
const trainingMagic = (bytes: Uint8Array) => (bytes.length >= 4 && String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) === "MTS1" ? "MTS1" : TRAINING);

/** Serialises a prepared training set so slices on other workers train on identical bins. */
export function encodeTraining(p: PreparedTraining): Uint8Array {
  const arrays: Record<string, Uint8Array | Uint16Array | Float64Array> = { bins: p.set.bins, nBins: p.set.nBins };
  if (p.set.yClass) arrays.yClass = p.set.yClass;
  if (p.set.yReg) arrays.yReg = p.set.yReg;
  if (p.set.classWeight) arrays.classWeight = p.set.classWeight;
  return encodeBundle(TRAINING, { n: p.set.n, nFeatures: p.set.nFeatures, stride: p.set.stride, binnings: p.binnings, classes: p.classes }, arrays);
}

interface TrainingHeader {
  n: number;
  nFeatures: number;
  /** Bytes a row (MTS2); MTS1 sets have none: one byte a feature. */
  stride?: number;
  binnings: FeatureBinning[];
  classes: Label[] | null;
}

/** Binnings and classes of a stored training set, without copying its rows. */
export const readTrainingHeader = (bytes: Uint8Array) => readBundleHeader<TrainingHeader>(trainingMagic(bytes), bytes);

export function decodeTraining(bytes: Uint8Array): PreparedTraining {
  const magic = trainingMagic(bytes);
  const { header, arrays } = decodeBundle<TrainingHeader>(magic, bytes, { shared: true });
  return {
    set: {
      n: header.n,
      nFeatures: header.nFeatures,
      bins: arrays.bins as Uint8Array,
      stride: magic === "MTS1" ? header.nFeatures : header.stride!,
      nBins: arrays.nBins as Uint16Array,
      yClass: (arrays.yClass as Uint16Array | undefined) ?? null,
      yReg: (arrays.yReg as Float64Array | undefined) ?? null,
      classWeight: (arrays.classWeight as Float64Array | undefined) ?? null,
    },
    binnings: header.binnings,
    classes: header.classes,
  };
}

/** Trees of a slice, concatenated, for storing between fan-out activities. */
export function encodeTrees(first: number, trees: BinTree[], oob: OobAccumulator | null): Uint8Array {
  const cat = <T extends Int16Array | Uint8Array | Int32Array | Float32Array | Float64Array>(pick: (t: BinTree) => T, Ctor: new (n: number) => T) => {
    const out = new Ctor(trees.reduce((s, t) => s + pick(t).length, 0));
    let o = 0;
    for (const t of trees) {
      out.set(pick(t) as never, o);
      o += pick(t).length;
    }
    return out;
  };
  const arrays: Record<string, Int16Array | Uint8Array | Int32Array | Float32Array | Float64Array | Uint32Array> = {
    nodeCounts: Int32Array.from(trees, (t) => t.feature.length),
    leafCounts: Int32Array.from(trees, (t) => t.leafValues.length),
    feature: cat((t) => t.feature, Int16Array),
    bin: cat((t) => t.bin, Uint8Array),
    missingLeft: cat((t) => t.missingLeft, Uint8Array),
    left: cat((t) => t.left, Int32Array),
    right: cat((t) => t.right, Int32Array),
    leafValues: cat((t) => t.leafValues, Float32Array),
    importance: cat((t) => t.importance, Float64Array),
  };
  if (oob) {
    arrays.oobSum = oob.sum;
    arrays.oobCount = oob.count;
  }
  return encodeBundle("MTR1", { first, count: trees.length, nFeatures: trees[0]?.importance.length ?? 0 }, arrays);
}

export function decodeTrees(bytes: Uint8Array): { first: number; trees: BinTree[]; oob: OobAccumulator | null } {
  const { header, arrays } = decodeBundle<{ first: number; count: number; nFeatures: number }>("MTR1", bytes);
  const nodeCounts = arrays.nodeCounts as Int32Array;
  const leafCounts = arrays.leafCounts as Int32Array;
  const trees: BinTree[] = [];
  let no = 0;
  let lo = 0;
  for (let t = 0; t < header.count; t++) {
    const nn = nodeCounts[t]!;
    const nl = leafCounts[t]!;
    trees.push({
      feature: (arrays.feature as Int16Array).subarray(no, no + nn),
      bin: (arrays.bin as Uint8Array).subarray(no, no + nn),
      missingLeft: (arrays.missingLeft as Uint8Array).subarray(no, no + nn),
      left: (arrays.left as Int32Array).subarray(no, no + nn),
      right: (arrays.right as Int32Array).subarray(no, no + nn),
      leafValues: (arrays.leafValues as Float32Array).subarray(lo, lo + nl),
      importance: (arrays.importance as Float64Array).subarray(t * header.nFeatures, (t + 1) * header.nFeatures),
      oob: new Uint32Array(0),
    });
    no += nn;
    lo += nl;
  }
  const oob = arrays.oobSum ? { sum: arrays.oobSum as Float64Array, count: arrays.oobCount as Uint32Array } : null;
  return { first: header.first, trees, oob };
}

/** Out-of-bag votes: per row, summed leaf values (K each) and the number of trees that saw it out of bag. */
export interface OobAccumulator {
  sum: Float64Array;
  count: Uint32Array;
}

export function newOob(n: number, K: number): OobAccumulator {
  return { sum: new Float64Array(n * K), count: new Uint32Array(n) };
}

/** Where row i of a binned matrix (S bytes a row) ends in a grown tree: the leaf's offset in leafValues. */
function leafOf(bins: Uint8Array, S: number, tree: BinTree, i: number) {
  const { feature, bin, missingLeft, left, right } = tree;
  const o = i * S;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    // Missing values going left: bins shifted by one, the missing bin (255) wrapping to 0, so one
    // comparison decides (real bins and cuts are at most 254).
    const shift = missingLeft[node]!;
    const l = left[node]!;
    const r = right[node]!;
    node = ((bins[o + f]! + shift) & 255) <= bin[node]! + shift ? l : r;
    f = feature[node]!;
  }
  return left[node]!;
}

/** Adds one tree's predictions for its out-of-bag rows, traversing on bins. */
export function addOob(set: TrainingSet, tree: BinTree, K: number, acc: OobAccumulator) {
  for (let j = 0; j < tree.oob.length; j++) {
    const i = tree.oob[j]!;
    const o = leafOf(set.bins, set.stride, tree, i);
    for (let k = 0; k < K; k++) acc.sum[i * K + k]! += tree.leafValues[o + k]!;
    acc.count[i]!++;
  }
}

/** The leaves (offsets in leafValues) that the rows of a binned matrix (F bins a row) reach in a tree. */
export function leavesOf(bins: Uint8Array, F: number, tree: BinTree): Uint32Array {
  const out = new Uint32Array(bins.length / F);
  for (let r = 0; r < out.length; r++) out[r] = leafOf(bins, F, tree, r);
  return out;
}

/**
 * The forest's predictions for the rows each tree has the leaves of (`reference`, see growTrees),
 * summed in tree order — what the assembled forest gives for the same rows' values, without
 * assembling it (the rows binned as serving bins them: a category by its own bin, not out of fold
 * as training rows are): per row, the index of the most probable class (the first of equals), or the mean.
 */
export function referencePredictions(trees: BinTree[], K: number): Float64Array {
  const n = trees[0]?.reference?.length ?? 0;
  const sum = new Float64Array(n * K);
  for (const tree of trees) {
    const leaves = tree.reference!;
    for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) sum[r * K + k]! += tree.leafValues[leaves[r]! + k]!;
  }
  // Divided by the number of trees before the classes are compared, as the assembled forest does.
  for (let z = 0; z < sum.length; z++) sum[z]! /= trees.length;
  if (K === 1) return sum;
  return Float64Array.from({ length: n }, (_, r) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (sum[r * K + k]! > sum[r * K + best]!) best = k;
    return best;
  });
}

export function mergeOob(into: OobAccumulator, from: OobAccumulator) {
  for (let i = 0; i < into.sum.length; i++) into.sum[i]! += from.sum[i]!;
  for (let i = 0; i < into.count.length; i++) into.count[i]! += from.count[i]!;
}

/** OOB accuracy (classification) or R² (regression) over rows that were out of bag at least once. */
export function oobScore(set: TrainingSet, K: number, acc: OobAccumulator): number | null {
  let seen = 0;
  if (set.yClass) {
    let correct = 0;
    for (let i = 0; i < set.n; i++) {
      if (!acc.count[i]) continue;
      seen++;
      let best = 0;
      for (let k = 1; k < K; k++) if (acc.sum[i * K + k]! > acc.sum[i * K + best]!) best = k;
      if (best === set.yClass[i]) correct++;
    }
    return seen ? correct / seen : null;
  }
  const y = set.yReg!;
  let mean = 0;
  for (let i = 0; i < set.n; i++) {
    if (!acc.count[i]) continue;
    mean += y[i]!;
    seen++;
  }
  if (!seen) return null;
  mean /= seen;
  let se = 0;
  let tot = 0;
  for (let i = 0; i < set.n; i++) {
    if (!acc.count[i]) continue;
    const p = acc.sum[i]! / acc.count[i]!;
    se += (y[i]! - p) ** 2;
    tot += (y[i]! - mean) ** 2;
  }
  return tot ? 1 - se / tot : null;
}

