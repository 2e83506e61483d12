/**
 * The trained forest as a handful of flat typed arrays (all trees concatenated), predicting
 * from raw feature values: numeric splits compare against a raw threshold, categorical splits
 * compare the category's bin, missing values follow the direction learnt at that split.
 */
import { categoryIndex, type FeatureBinning } from "./binning";
import type { BinTree } from "./tree";

export interface FlatForest {
  task: "classification" | "regression";
  nClasses: number; // 1 for regression
  binnings: FeatureBinning[];
  treeRoots: Int32Array;
  feature: Int16Array;
  threshold: Float64Array; // raw value (numeric) or bin index (categorical)
  missingLeft: Uint8Array;
  left: Int32Array; // child, or leaf-value offset for leaves
  right: Int32Array;
  leafValues: Float32Array;
  importances: Float64Array; // normalised to sum 1
  oobScore: number | null;
}

/** Joins trees (in tree order) into one flat forest. Trees must share the binnings. */
export function assemble(
  task: FlatForest["task"],
  nClasses: number,
  binnings: FeatureBinning[],
  trees: BinTree[],
  oobScore: number | null = null,
): FlatForest {
  const nodes = trees.reduce((s, t) => s + t.feature.length, 0);
  const leaves = trees.reduce((s, t) => s + t.leafValues.length, 0);
  const f = new FlatForestBuilder(nodes, leaves);
  const importance = new Float64Array(binnings.length);
  const treeRoots = new Int32Array(trees.length);
  trees.forEach((t, ti) => {
    treeRoots[ti] = f.node;
    const base = f.node;
    const leafBase = f.leaf;
    for (let i = 0; i < t.feature.length; i++) {
      const fi = t.feature[i]!;
      const o = base + i;
      f.feature[o] = fi;
      f.missingLeft[o] = t.missingLeft[i]!;
      if (fi < 0) {
        f.left[o] = leafBase + t.left[i]!;
        f.right[o] = -1;
      } else {
        f.left[o] = base + t.left[i]!;
        f.right[o] = base + t.right[i]!;
        const b = binnings[fi]!;
        f.threshold[o] = b.kind === "numeric" ? b.edges[t.bin[i]!]! : t.bin[i]!;
      }
    }
    f.leafValues.set(t.leafValues, leafBase);
    f.node += t.feature.length;
    f.leaf += t.leafValues.length;
    t.importance.forEach((v, k) => (importance[k]! += v));
  });
  const sum = importance.reduce((a, b) => a + b, 0);
  if (sum > 0) for (let k = 0; k < importance.length; k++) importance[k]! /= sum;
  return {
    task,
    nClasses: task === "classification" ? nClasses : 1,
    binnings,
    treeRoots,
    feature: f.feature,
    threshold: f.threshold,
    missingLeft: f.missingLeft,
    left: f.left,
    right: f.right,
    leafValues: f.leafValues,
    importances: importance,
    oobScore,
  };
}

class FlatForestBuilder {
  node = 0;
  leaf = 0;
  feature: Int16Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  leafValues: Float32Array;
  constructor(nodes: number, leaves: number) {
    this.feature = new Int16Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.missingLeft = new Uint8Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.leafValues = new Float32Array(leaves);
  }
}

/** A prepared row: numbers for numeric features (NaN = missing), bin index for categoricals. */
export type EncodedRow = Float64Array;

export class ForestPredictor {
  private readonly catMaps: (Map<string, number> | null)[];
  constructor(readonly forest: FlatForest) {
    this.catMaps = forest.binnings.map((b) => (b.kind === "categorical" ? categoryIndex(b) : null));
  }

  /** Encodes raw values (feature order) for traversal. */
  encode(values: ArrayLike<unknown>, out: Float64Array = new Float64Array(this.forest.binnings.length)): EncodedRow {
    for (let f = 0; f < out.length; f++) {
      const v = values[f];
      const cats = this.catMaps[f];
      if (v === null || v === undefined) out[f] = NaN;
      else if (cats) out[f] = cats.get(String(v)) ?? NaN;
      else out[f] = typeof v === "number" ? v : Number(v);
    }
    return out;
  }

  /** Sums leaf values over trees into `acc` (class probabilities, or the mean for regression). */
  accumulate(x: EncodedRow, acc: Float64Array) {
    const { treeRoots, feature, threshold, missingLeft, left, right, leafValues, nClasses } = this.forest;
    acc.fill(0);
    for (let t = 0; t < treeRoots.length; t++) {
      let node = treeRoots[t]!;
      let f = feature[node]!;
      while (f >= 0) {
        const v = x[f]!;
        node = v !== v ? (missingLeft[node] ? left[node]! : right[node]!) : v <= threshold[node]! ? left[node]! : right[node]!;
        f = feature[node]!;
      }
      const o = left[node]!;
      for (let k = 0; k < nClasses; k++) acc[k]! += leafValues[o + k]!;
    }
    const T = treeRoots.length;
    for (let k = 0; k < nClasses; k++) acc[k]! /= T;
    return acc;
  }

  /** Class index (argmax of mean probability) or regression value. */
  predictEncoded(x: EncodedRow, acc = new Float64Array(this.forest.nClasses)): number {
    this.accumulate(x, acc);
    if (this.forest.task === "regression") return acc[0]!;
    let best = 0;
    for (let k = 1; k < acc.length; k++) if (acc[k]! > acc[best]!) best = k;
    return best;
  }

  predictRows(rows: ArrayLike<unknown>[]): number[] {
    const x = new Float64Array(this.forest.binnings.length);
    const acc = new Float64Array(this.forest.nClasses);
    return rows.map((r) => this.predictEncoded(this.encode(r, x), acc));
  }

  probabilities(row: ArrayLike<unknown>): number[] {
    return [...this.accumulate(this.encode(row), new Float64Array(this.forest.nClasses))];
  }
}
