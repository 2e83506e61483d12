/**
 * The trained forest as a handful of flat typed arrays (all trees concatenated), predicting
 * from raw feature values: numeric splits compare against a raw threshold, categorical splits
 * compare the category's bin, missing values follow the direction learnt at that split.
 */
import { categoryIndex, float32AtLeast, type FeatureBinning } from "./binning";

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

/** A prepared row: numbers for numeric features (NaN = missing), bin index for categoricals. */
export type EncodedRow = Float64Array;


/**
 * Prediction-time layout, 8 bytes a node in one buffer, each tree in pre-order (a left child
 * right after its parent): a float32 threshold (rounded up, so every value at or below the
 * float64 threshold still goes left) and a uint32 that holds, for a split, the
 * missing-goes-left bit (30), the feature (bits 17–29) and the right child's index relative to
 * its tree root (bits 0–16); for a leaf, bit 31 and its value offset within the tree. Eight nodes share a cache line, which is what makes a single
 * row fast through deep forests. Forests too large for it (trees over 2^17 nodes, over 8192
 * features) use a 16-byte layout with float64 thresholds.
 */
export class ForestPredictor {
  private readonly catMaps: (Map<string, number> | null)[];
  /** What scoring reads, on shared memory: training threads can score rows with it too (`walkRows`). */
  readonly layout: WalkLayout;

  /** `wide`: the 16-byte layout whatever the forest's size (tests compare the two). */
  constructor(
    readonly forest: FlatForest,
    opts: { wide?: boolean } = {},
  ) {
    this.catMaps = forest.binnings.map((b) => (b.kind === "categorical" ? categoryIndex(b) : null));
    this.unseen = new Uint8Array(this.catMaps.length);
    const { treeRoots, feature, left, right, missingLeft, threshold } = forest;
    const nodes = feature.length;
    const T = treeRoots.length;
    const endOf = (t: number) => (t + 1 < T ? treeRoots[t + 1]! : nodes);
    // A damaged file is refused here, not walked: each tree a non-empty range, in order, from 0.
    const lengths = [threshold.length, missingLeft.length, left.length, right.length];
    if (lengths.some((l) => l !== nodes)) throw new Error("forest layout: the node arrays differ in length");
    for (let t = 0; t < T; t++) {
      if ((t === 0 && treeRoots[0] !== 0) || treeRoots[t]! >= endOf(t)) throw new Error(`forest layout: tree ${t} has no nodes of its own`);
    }
    let fits = !opts.wide && forest.binnings.length <= 8192;
    for (let t = 0; t < T && fits; t++) if (endOf(t) - treeRoots[t]! > 1 << 17) fits = false;
    // Trees grown since training numbered its nodes in pre-order are laid out as they are, in one
    // pass; older files' trees (children numbered as pairs) are renumbered first.
    const { oldAt, newIndex, leafBase } = preOrder(forest, endOf);
    const damaged = (i: number) => new Error(`forest layout: node ${i} has a child outside its tree`);
    let thr32: Float32Array = new Float32Array(0);
    let packed: Uint32Array = new Uint32Array(0);
    let thr: Float64Array = new Float64Array(0);
    let ints: Int32Array = new Int32Array(0);
    if (fits) {
      const buf = sharedBuffer(nodes * 8);
      thr32 = new Float32Array(buf);
      packed = new Uint32Array(buf);
    } else {
      const buf = sharedBuffer(nodes * 16);
      thr = new Float64Array(buf);
      ints = new Int32Array(buf);
    }
    for (let t = 0; t < T; t++) {
      const root = treeRoots[t]!;
      const end = endOf(t);
      for (let i = root; i < end; i++) {
        const old = oldAt ? oldAt[i]! : i;
        const f = feature[old]!;
        if (f < 0) {
          if (fits) packed[2 * i + 1] = (0x80000000 | (left[old]! - leafBase[t]!)) >>> 0;
          else {
            ints[4 * i + 2] = 0xffff;
            ints[4 * i + 3] = left[old]!;
          }
          continue;
        }
        // The left child is the next node; the right one lies after it, within the tree.
        const r = newIndex ? newIndex[right[old]!]! : right[old]!;
        if (!(r > i + 1 && r < end) || i + 1 >= end) throw damaged(i);
        if (fits) {
          thr32[2 * i] = float32AtLeast(threshold[old]!);
          packed[2 * i + 1] = ((missingLeft[old]! << 30) | (f << 17) | (r - root)) >>> 0;
        } else {
          thr[2 * i] = threshold[old]!;
          ints[4 * i + 2] = f | (missingLeft[old]! << 16);
          ints[4 * i + 3] = r;
        }
      }
    }
    const leafValues = new Float32Array(sharedBuffer(forest.leafValues.byteLength));
    leafValues.set(forest.leafValues);
    this.layout = {
      compact: fits,
      thr32,
      packed,
      thr,
      ints,
      // Its own copy: the forest's arrays may be views on a whole model file's bytes, which posting
      // the layout to a scoring thread would copy entire (structured clone copies a view's buffer).
      treeRoots: Int32Array.from(forest.treeRoots),
      leafBase,
      leafValues,
      K: forest.nClasses,
      F: forest.binnings.length,
    };
  }

  /**
   * Categorical features that met a value training never saw (scored as a missing value) since
   * `unseen` was last cleared, a flag per feature; `anyUnseen` says whether any is set.
   */
  readonly unseen: Uint8Array;
  anyUnseen = false;

  /** Encodes raw values (feature order) for traversal. */
  encode(values: ArrayLike<unknown>, out: Float64Array = new Float64Array(this.forest.binnings.length), at = 0): EncodedRow {
    const F = this.forest.binnings.length;
    for (let f = 0; f < F; f++) {
      const v = values[f];
      const cats = this.catMaps[f];
      if (v === null || v === undefined) out[at + f] = NaN;
      else if (cats) {
        const bin = cats.get(String(v));
        if (bin === undefined) {
          this.unseen[f] = 1;
          this.anyUnseen = true;
        }
        out[at + f] = bin ?? NaN;
      } else out[at + f] = typeof v === "number" ? v : Number(v);
    }
    return out;
  }

  /** Sums leaf values over trees into `acc` (class probabilities, or the mean for regression). */
  accumulate(x: EncodedRow, acc: Float64Array) {
    return this.accumulateRows(x, 1, acc);
  }

  /** `accumulate` for `n` encoded rows at once (see `walkRows`). */
  accumulateRows(x: Float64Array, n: number, out: Float64Array) {
    return walkRows(this.layout, x, n, out);
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
}

/**
 * Each tree's nodes in pre-order (a split's left child right after it), as a walk reads them:
 * nothing to do (null) when every split's left child is already the next node — trees grown
 * since training numbers them so — else the renumbering: `oldAt[i]` the node that comes i-th,
 * `newIndex[old]` where a node goes (within its tree's range). And each tree's lowest leaf-value
 * offset, which the layout stores its leaves' offsets from (one pass over the nodes finds both).
 */
function preOrder(forest: FlatForest, endOf: (t: number) => number): { oldAt: Int32Array | null; newIndex: Int32Array | null; leafBase: Int32Array } {
  const { treeRoots, feature, left, right } = forest;
  const nodes = feature.length;
  const leafBase = new Int32Array(treeRoots.length);
  let ordered = true;
  for (let t = 0; t < treeRoots.length; t++) {
    let base = Infinity;
    for (let i = treeRoots[t]!, end = endOf(t); i < end; i++) {
      if (feature[i]! < 0) base = Math.min(base, left[i]!);
      else if (left[i] !== i + 1) ordered = false;
    }
    leafBase[t] = base === Infinity ? 0 : base;
  }
  if (ordered) return { oldAt: null, newIndex: null, leafBase };
  // Typed arrays throughout: a forest of deep trees has millions of nodes.
  let stack = new Int32Array(1024);
  const newIndex = new Int32Array(nodes);
  const oldAt = new Int32Array(nodes);
  const seen = new Uint8Array(nodes);
  for (let t = 0; t < treeRoots.length; t++) {
    const root = treeRoots[t]!;
    const end = endOf(t);
    let next = root;
    let top = 0;
    stack[top++] = root;
    while (top) {
      const old = stack[--top]!;
      if (old < root || old >= end || seen[old]) throw new Error(`forest layout: tree ${t} is not a tree`);
      seen[old] = 1;
      const i = next++;
      newIndex[old] = i;
      oldAt[i] = old;
      if (feature[old]! < 0) continue;
      if (top + 2 > stack.length) {
        const grown = new Int32Array(stack.length * 2);
        grown.set(stack);
        stack = grown;
      }
      stack[top++] = right[old]!;
      stack[top++] = left[old]!;
    }
    // Every node once: one reached twice is refused above, one never reached here.
    if (next !== end) throw new Error(`forest layout: tree ${t} is not a tree`);
  }
  return { oldAt, newIndex, leafBase };
}

/** Memory worker threads can share (a plain buffer where there is no SharedArrayBuffer: a page without cross-origin isolation). */
export function sharedBuffer(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** A predictor's layout: typed arrays only (shared memory, so a worker thread reads the same forest). */
export interface WalkLayout {
  compact: boolean;
  thr32: Float32Array;
  packed: Uint32Array;
  thr: Float64Array;
  ints: Int32Array;
  treeRoots: Int32Array;
  leafBase: Int32Array;
  leafValues: Float32Array;
  /** Classes (1 for regression) and features. */
  K: number;
  F: number;
}

/**
 * `ForestPredictor.accumulate` for `n` encoded rows at once (`x` row-major, n × features; `out`
 * n × classes): tree by tree over every row, so that each tree is read into the cache once per
 * batch rather than once per row — deep trees over many rows are otherwise one cache miss per
 * level. The sums are taken in the same (tree) order as for a single row: the results are identical.
 */
export function walkRows(l: WalkLayout, x: Float64Array, n: number, out: Float64Array) {
  const { treeRoots, leafValues, K, F } = l;
  out.fill(0, 0, n * K);
  const T = treeRoots.length;
  if (l.compact) {
    const thr = l.thr32;
    const packed = l.packed;
    for (let t = 0; t < T; t++) {
      const root = treeRoots[t]!;
      const base = l.leafBase[t]!;
      for (let r = 0, xo = 0, oo = 0; r < n; r++, xo += F, oo += K) {
        let node = root;
        let p = packed[2 * node + 1]!;
        while (p < 0x80000000) {
          const v = x[xo + ((p >>> 17) & 0x1fff)]!;
          // Pre-order layout: the left child follows its parent; the right child's offset is stored.
          const right = root + (p & 0x1ffff);
          // NaN (missing) fails both comparisons: it follows the learnt direction.
          node = v <= thr[2 * node]! ? node + 1 : v > thr[2 * node]! ? right : p & 0x40000000 ? node + 1 : right;
          p = packed[2 * node + 1]!;
        }
        const o = base + (p & 0x7fffffff);
        for (let k = 0; k < K; k++) out[oo + k]! += leafValues[o + k]!;
      }
    }
  } else {
    const thr = l.thr;
    const ints = l.ints;
    for (let t = 0; t < T; t++) {
      for (let r = 0, xo = 0, oo = 0; r < n; r++, xo += F, oo += K) {
        let node = treeRoots[t]!;
        let meta = ints[4 * node + 2]!;
        while ((meta & 0xffff) !== 0xffff) {
          const v = x[xo + (meta & 0xffff)]!;
          // Pre-order as well: the left child follows; the right child's index is stored.
          const right = ints[4 * node + 3]!;
          node = v <= thr[2 * node]! ? node + 1 : v > thr[2 * node]! ? right : meta & 0x10000 ? node + 1 : right;
          meta = ints[4 * node + 2]!;
        }
        const o = ints[4 * node + 3]!;
        for (let k = 0; k < K; k++) out[oo + k]! += leafValues[o + k]!;
      }
    }
  }
  for (let z = 0; z < n * K; z++) out[z]! /= T;
  return out;
}
