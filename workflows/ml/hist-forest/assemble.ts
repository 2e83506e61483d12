import type { FeatureBinning } from "~/workflows/model/binning";
import type { FlatForest } from "~/workflows/model/flat-forest";
import type { BinTree } from "./tree";

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
  // Each (feature, bin) cut's threshold, looked up per split: a numeric feature's edge above the
  // bin — none (∞) for a cut after the last bin (present values left, missing right) — or a
  // categorical feature's bin itself. Made for the features the trees split on.
  const cuts: (Float64Array | undefined)[] = [];
  const cutsOf = (fi: number) => {
    const b = binnings[fi]!;
    return (cuts[fi] = Float64Array.from({ length: 256 }, (_, bin) => (b.kind === "numeric" ? (b.edges[bin] ?? Infinity) : bin)));
  };
  trees.forEach((t, ti) => {
    treeRoots[ti] = f.node;
    const base = f.node;
    const leafBase = f.leaf;
    f.feature.set(t.feature, base);
    f.missingLeft.set(t.missingLeft, base);
    for (let i = 0; i < t.feature.length; i++) {
      const fi = t.feature[i]!;
      const o = base + i;
      if (fi < 0) {
        f.left[o] = leafBase + t.left[i]!;
        f.right[o] = -1;
      } else {
        f.left[o] = base + t.left[i]!;
        f.right[o] = base + t.right[i]!;
        f.threshold[o] = (cuts[fi] ?? cutsOf(fi))[t.bin[i]!]!;
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
