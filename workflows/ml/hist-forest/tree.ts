/**
 * Growing one tree on binned data: depth-first, node samples kept as a contiguous range of
 * an index array that is stably partitioned at every split (so reads stay in row order),
 * histograms per (feature, bin) — for a drawn feature, only over the bins the node's rows touch;
 * when every feature is a candidate at every split, a full histogram per node and the larger
 * child's as parent minus the smaller child's.
 */
import { MISSING_BIN } from "~/workflows/model/binning";

export interface TreeParams {
  task: "classification" | "regression";
  nClasses: number;
  /** 0 = unlimited: grow until leaves are pure or cannot be split under minSamplesLeaf (scikit-learn's default). */
  maxDepth: number;
  minSamplesLeaf: number;
  /**
   * Candidate features drawn at each split. As in scikit-learn, drawing goes on past this many
   * when none of them gives a valid split (every feature constant in the node, or no cut leaving
   * minSamplesLeaf on each side).
   */
  maxFeatures: number;
}

export interface TrainingSet {
  n: number;
  nFeatures: number;
  /** Row-major: feature f of row i at bins[i * stride + f] (stride ≥ nFeatures; see binColumns). */
  bins: Uint8Array;
  stride: number;
  /** Real bins per feature (excluding the missing bin). */
  nBins: Uint16Array;
  yClass: Uint16Array | null;
  yReg: Float64Array | null;
  /** Per-class weights (class_weight), or null. */
  classWeight: Float64Array | null;
}

/** A grown tree, in split-on-bin form (thresholds become raw values when the forest is assembled). */
export interface BinTree {
  feature: Int16Array; // -1 for a leaf
  bin: Uint8Array; // go left when bin <= this
  missingLeft: Uint8Array;
  left: Int32Array; // child index, or leaf-value offset for a leaf
  right: Int32Array;
  leafValues: Float32Array; // K per leaf (class probabilities) or 1 (mean)
  importance: Float64Array; // impurity decrease per feature
  /** Rows not drawn by the bootstrap (for out-of-bag scores). */
  oob: Uint32Array;
  /** The leaves reference rows reach, when asked for (see growTrees). */
  reference?: Uint32Array;
}

const HB = 256; // bins per feature in a histogram, including the missing bin
/** Class 1's multiplier in a packed two-class weight (see `packed` in growTree). */
const PACK = 2 ** 26;
/** Nodes of at most this many rows sort their few bins rather than histogram them (see sweepTiny). */
const TINY = 16;
/** Nodes of at most this many rows are grown in gathered buffers (see growTree). */
const GATHER = 1 << 16;

/** `gatherRows`: the GATHER threshold (tests set it low to grow large nodes through the index over the shared data). */
export function growTree(data: TrainingSet, params: TreeParams, rand: () => number, gatherRows = GATHER): BinTree {
  const { n, nFeatures: F, stride: S, bins, nBins } = data;
  const cls = params.task === "classification";
  const K = cls ? params.nClasses : 2; // regression stats: [sum w, sum w*y]
  const yC = data.yClass;
  const yR = data.yReg;

  // At most 8 MiB of gathered bins, however many features: wide data gathers smaller nodes.
  const gatherAt = Math.min(gatherRows, Math.max(1024, Math.floor((8 << 20) / Math.max(1, S))));
  const cap = Math.min(n, gatherAt);
  const { w, idx, notDrawn, iscratch, gb, gyC, gyR, gw, gidx, gscratch } = buffersFor(n, S, cap, cls);
  // Bootstrap by weights: n draws with replacement become per-row counts.
  // Counted in the partition's scratch (free until the first split): 4 bytes a row where the
  // weights take 8 — n random increments stay within half the memory.
  const counts = iscratch;
  counts.fill(0);
  for (let d = 0; d < n; d++) counts[Math.floor(rand() * n)]!++;
  const subtract = params.maxFeatures > F / 2;
  // Two classes under whole-number weights (bootstrap counts, no class weights), histogrammed
  // per drawn feature: a row's class and count travel as one number, count × (class 1 ? PACK : 1),
  // so a bin is one exact sum c0 + c1 · PACK (counts stay below PACK > n) — one load and one
  // add per row instead of reading the class and the weight apart.
  const packed = cls && K === 2 && !data.classWeight && !subtract && n < PACK;
  // Every node is a range of an index array, stably partitioned at each split. Large nodes (the
  // top of the tree) index the shared data. A node of at most GATHER rows is *gathered*: its rows'
  // bins, class or target and weight copied, in its order, into buffers of GATHER rows where its
  // whole subtree is grown (depth first: nothing else runs until it is done), under an index of
  // its own. Those reads stay within a few megabytes, where reading the shared data through row
  // indices missed the cache on almost every row of a deep node; the buffers are bounded, so a
  // thread's memory does not grow with the data.
  // One pass over the rows: drawn ones to the index (weighted by their class's weight, if any,
  // and summed into the root's totals), the others out of bag.
  const rootTotals = new Float64Array(K);
  const classWeight = cls ? data.classWeight : null;
  let inBag = 0;
  let outOfBag = 0;
  for (let i = 0; i < n; i++) {
    const count = counts[i]!;
    if (count === 0) {
      w[i] = 0;
      notDrawn[outOfBag++] = i;
      continue;
    }
    idx[inBag++] = i;
    if (cls) {
      const c = yC![i]!;
      const wi = classWeight ? count * classWeight[c]! : count;
      rootTotals[c]! += wi;
      w[i] = packed && c === 1 ? wi * PACK : wi;
    } else {
      rootTotals[0]! += count;
      rootTotals[1]! += count * yR![i]!;
      w[i] = count;
    }
  }
  const oob = notDrawn.slice(0, outOfBag);
  // The two places a node's rows are read from: the shared data, or the gathered buffers.
  const shared: Rows = { idx, scratch: iscratch, bins, yC, yR, w };
  const local: Rows = { idx: gidx, scratch: gscratch, bins: gb, yC: gyC, yR: gyR, w: gw };
  // A row's bins are copied four at a time when its width allows (16 bytes: 4 copies, not 16; a
  // training set's rows are padded to whole words).
  const words = S % 4 === 0 && bins.byteOffset % 4 === 0 ? S / 4 : 0;
  const bins32 = words ? new Uint32Array(bins.buffer, bins.byteOffset, n * words) : null;
  const gb32 = words ? new Uint32Array(gb.buffer, gb.byteOffset, cap * words) : null;
  const gather = (start: number, end: number) => {
    for (let j = start, o = 0; j < end; j++, o++) {
      const i = idx[j]!;
      if (words) for (let c = 0; c < words; c++) gb32![o * words + c] = bins32![i * words + c]!;
      else for (let c = 0; c < F; c++) gb[o * S + c] = bins[i * S + c]!;
      if (cls) gyC![o] = yC![i]!;
      else gyR![o] = yR![i]!;
      gw[o] = w[i]!;
      gidx[o] = o;
    }
  };

  const histSize = F * HB * K;

  // Nodes are numbered in the order they are taken up, depth first, left before right: pre-order,
  // the layout a predictor walks (a split's left child is the next node; its right child is
  // recorded when taken up). A node's entries are pushed when it is numbered, so every write lands
  // inside the arrays: they stay packed, never holey. A split's cut is its bin and
  // missing-goes-left bit together (bin | left << 8).
  const feature: number[] = [];
  const cutAt: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leafValues: number[] = [];
  const importance = new Float64Array(F);
  // The draw order of features (a permutation, shuffled in part at every node).
  const feats = Int32Array.from({ length: F }, (_, f) => f);

  // Accumulates a node's full histogram (every feature).
  const buildHist = (start: number, end: number, { idx: ix, bins: bs, w: ww, yC: yc, yR: yr }: Rows, hist: Float64Array) => {
    hist.fill(0);
    for (let j = start; j < end; j++) {
      const i = ix[j]!;
      const wi = ww[i]!;
      if (cls) {
        const y = yc![i]!;
        for (let f = 0; f < F; f++) hist[f * HB * K + bs[i * S + f]! * K + y]! += wi;
      } else {
        const wy = wi * yr![i]!;
        for (let f = 0; f < F; f++) {
          const o = f * HB * 2 + bs[i * S + f]! * 2;
          hist[o]! += wi;
          hist[o + 1]! += wy;
        }
      }
    }
  };

  // score = Σ_k c_k² / W for Gini (higher is purer); S² / W for squared error.
  const score = (s: Float64Array | number[], o: number) => {
    if (cls) {
      let W = 0;
      let q = 0;
      for (let k = 0; k < K; k++) {
        const c = s[o + k]!;
        W += c;
        q += c * c;
      }
      return W > 0 ? q / W : 0;
    }
    const W = s[o]!;
    return W > 0 ? (s[o + 1]! * s[o + 1]!) / W : 0;
  };
  const weightOf = (s: Float64Array, o: number) => {
    if (!cls) return s[o]!;
    let W = 0;
    for (let k = 0; k < K; k++) W += s[o + k]!;
    return W;
  };

  const total = new Float64Array(K);
  const leftAcc = new Float64Array(K);
  const rightAcc = new Float64Array(K);
  const miss = new Float64Array(K);
  const tmp = new Float64Array(K);
  const bestLeft = new Float64Array(K);

  const makeLeaf = (node: number) => {
    feature[node] = -1;
    cutAt[node] = 0;
    left[node] = leafValues.length;
    if (cls) {
      const W = weightOf(total, 0);
      for (let k = 0; k < K; k++) leafValues.push(W > 0 ? total[k]! / W : 0);
    } else {
      leafValues.push(total[0]! > 0 ? total[1]! / total[0]! : 0);
    }
  };

  // Nodes waiting to be split, depth-first: six integers each (start, end, depth, the split whose
  // right child it is (-1 for a left child or the root), how many
  // features are known constant there — the first of `constants` — and whether the range is in
  // the gathered buffers rather than the index array), their class or target
  // totals (K numbers each) and full histogram, if any. Flat arrays: no object per node.
  let pending = new Int32Array(6 * 64);
  let pendingTotals = new Float64Array(K * 64);
  const pendingHist: (Float64Array | null)[] = [];
  let top = 0;
  const push = (start: number, end: number, depth: number, rightOf: number, known: number, gathered: boolean, totals: Float64Array, hist: Float64Array | null) => {
    if (6 * (top + 1) > pending.length) {
      const grown = new Int32Array(pending.length * 2);
      grown.set(pending);
      pending = grown;
      const grownTotals = new Float64Array(pendingTotals.length * 2);
      grownTotals.set(pendingTotals);
      pendingTotals = grownTotals;
    }
    const o = 6 * top;
    pending[o] = start;
    pending[o + 1] = end;
    pending[o + 2] = depth;
    pending[o + 3] = rightOf;
    pending[o + 4] = known;
    pending[o + 5] = gathered ? 1 : 0;
    for (let k = 0; k < K; k++) pendingTotals[K * top + k] = totals[k]!;
    pendingHist[top++] = hist;
  };
  push(0, inBag, 0, -1, 0, false, rootTotals, null);
  // Features found constant in a node, in the order found along the path from the root: a
  // node's descendants only append to its prefix, so each node reads its own known constants
  // there (as scikit-learn does). A constant feature stays constant below, and is never scanned again.
  const constants = new Int32Array(F);
  const isKnown = new Uint8Array(F);
  // Below this many rows a node gets no full histogram: building, subtracting and scanning
  // F × 256 bins costs more than histogramming each feature over the bins its rows touch.
  const SMALL = 4 * HB * K;
  const pool: Float64Array[] = [];
  const takeHist = () => pool.pop() ?? new Float64Array(histSize);

  // Per-node search state, hoisted so no closure is made per node.
  let bestGain = 0;
  let bestF = -1;
  let bestBin = 0;
  let bestMissLeft = 0;
  let missW = 0;
  let W = 0;
  let parentScore = 0;
  const swap = (a: number, b: number) => {
    const t = feats[a]!;
    feats[a] = feats[b]!;
    feats[b] = t;
  };
  const minLeaf = params.minSamplesLeaf;
  // Two statistics per bin — two classes' weights, or regression's weight and weighted target
  // sum — the common cases: `consider` on scalars (a0, a1: left of the cut), the same arithmetic
  // in the same order as `considerAny` and `score` (so the same trees), without their loops over
  // K and temporary arrays.
  const considerPair = (f: number, b: number, a0: number, a1: number) => {
    const t0 = total[0]!;
    const t1 = total[1]!;
    for (let side = 0; side < (missW > 0 ? 2 : 1); side++) {
      const l0 = side ? a0 + miss[0]! : a0;
      const l1 = side ? a1 + miss[1]! : a1;
      const wl = cls ? l0 + l1 : l0;
      const wr = W - wl;
      if (wl < minLeaf || wr < minLeaf) continue;
      const r0 = t0 - l0;
      const r1 = t1 - l1;
      const rw = cls ? r0 + r1 : r0;
      // Gini: Σ c² / W per side; squared error: S² / W.
      const ql = cls ? l0 * l0 + l1 * l1 : l1 * l1;
      const qr = cls ? r0 * r0 + r1 * r1 : r1 * r1;
      const gain = (wl > 0 ? ql / wl : 0) + (rw > 0 ? qr / rw : 0) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestF = f;
        bestBin = b;
        bestMissLeft = side;
        bestLeft[0] = l0;
        bestLeft[1] = l1;
      }
    }
  };
  const considerAny = (f: number, b: number) => {
    for (let side = 0; side < (missW > 0 ? 2 : 1); side++) {
      // side 0: missing goes right; side 1: missing goes left
      for (let k = 0; k < K; k++) {
        tmp[k] = leftAcc[k]! + (side ? miss[k]! : 0);
        rightAcc[k] = total[k]! - tmp[k]!;
      }
      const wl = weightOf(tmp, 0);
      const wr = W - wl;
      if (wl < minLeaf || wr < minLeaf) continue;
      const gain = score(tmp, 0) + score(rightAcc, 0) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestF = f;
        bestBin = b;
        bestMissLeft = side;
        bestLeft.set(tmp);
      }
    }
  };
  const consider = (f: number, b: number) => (K === 2 ? considerPair(f, b, leftAcc[0]!, leftAcc[1]!) : considerAny(f, b));

  // A node without a full histogram (every node unless all features are candidates) histograms
  // each drawn feature into `sparse`, marking the bins it touches in `touched` (one bit per bin):
  // the sweep then visits only those bins, in order, and clears them behind it. Deep nodes hold
  // a few rows over few bins; they no longer pay for clearing and scanning all 256.
  const SPARSE = HB * K;
  const sparse = new Float64Array(2 * SPARSE);
  const touched = new Uint32Array(HB / 32);
  const lastTouched = () => {
    for (let wd = touched.length - 1; wd >= 0; wd--) if (touched[wd]) return (wd << 5) | (31 - Math.clz32(touched[wd]!));
    return -1;
  };

  // The node being split, for the scans below (hoisted: no closure per node).
  let nodeStart = 0;
  let nodeEnd = 0;
  let nodeRows = shared;
  let nodeHist: Float64Array | null = null;
  // A node's first draws (see below), and their histograms when built in one pass: two lanes of
  // HB bins a feature, as `sparse` has for packed weights.
  const batch = new Int32Array(F);
  const fusedHist = new Float64Array(4 * 2 * HB);

  /**
   * Sweeps a packed histogram (two lanes of HB bins from `base`, summed and cleared as read) for
   * feature f: every bin up to the last when `dense`, else the bins marked in `touched`. Returns
   * how many distinct values the node has there (the missing ones count as one).
   */
  const sweepPacked = (f: number, h: Float64Array, base: number, dense: boolean) => {
    const mb = base + MISSING_BIN;
    const ms = h[mb]! + h[mb + HB]!;
    h[mb] = 0;
    h[mb + HB] = 0;
    touched[MISSING_BIN >>> 5]! &= ~(1 << (MISSING_BIN & 31));
    miss[1] = Math.floor(ms / PACK);
    miss[0] = ms - miss[1]! * PACK;
    missW = miss[0]! + miss[1]!;
    let last = dense ? nBins[f]! - 1 : lastTouched();
    if (dense) while (last >= 0 && h[base + last]! + h[base + HB + last]! === 0) last--;
    let a0 = 0;
    let a1 = 0;
    let groups = missW > 0 ? 1 : 0;
    // Dense: every bin up to the last; sparse: the touched ones, one word of marks at a time.
    let word = dense ? 0 : touched[0]!;
    for (let b = 0, wd = 0; b <= last; ) {
      if (!dense) {
        if (!word) {
          if (++wd === touched.length) break;
          word = touched[wd]!;
          continue;
        }
        const low = word & -word;
        word ^= low;
        b = (wd << 5) | (31 - Math.clz32(low));
      }
      const o = base + b;
      const sum = h[o]! + h[o + HB]!;
      if (sum !== 0) {
        h[o] = 0;
        h[o + HB] = 0;
        const c1 = Math.floor(sum / PACK);
        a0 += sum - c1 * PACK;
        a1 += c1;
        groups++;
        if (b < last || missW > 0) considerPair(f, b, a0, a1);
      }
      if (dense) b++;
    }
    if (!dense) for (let z = 0; z < touched.length; z++) touched[z] = 0; // eight stores: less than a call to fill
    return groups;
  };

  /**
   * Sweeps `sparse` (two lanes) for feature f where a bin holds two statistics — two classes'
   * weights, or regression's weight and weighted target — over the touched bins, clearing them:
   * the general sweep below for K = 2, on scalars (the same sums in the same order, so the same
   * trees), kept apart for speed: ≈ 10% a regression tree (flights delays, A/B over five
   * alternations). Returns as `sweepPacked` does.
   */
  const sweepPairs = (f: number) => {
    const m = 2 * MISSING_BIN;
    miss[0] = sparse[m]! + sparse[SPARSE + m]!;
    miss[1] = sparse[m + 1]! + sparse[SPARSE + m + 1]!;
    sparse[m] = 0;
    sparse[m + 1] = 0;
    sparse[SPARSE + m] = 0;
    sparse[SPARSE + m + 1] = 0;
    touched[MISSING_BIN >>> 5]! &= ~(1 << (MISSING_BIN & 31));
    missW = cls ? miss[0]! + miss[1]! : miss[0]!;
    const last = lastTouched();
    let a0 = 0;
    let a1 = 0;
    let groups = missW > 0 ? 1 : 0;
    for (let wd = 0; wd < touched.length; wd++) {
      let word = touched[wd]!;
      while (word) {
        const low = word & -word;
        word ^= low;
        const b = (wd << 5) | (31 - Math.clz32(low));
        const o = 2 * b;
        a0 += sparse[o]! + sparse[SPARSE + o]!;
        a1 += sparse[o + 1]! + sparse[SPARSE + o + 1]!;
        sparse[o] = 0;
        sparse[o + 1] = 0;
        sparse[SPARSE + o] = 0;
        sparse[SPARSE + o + 1] = 0;
        groups++;
        if (b < last || missW > 0) considerPair(f, b, a0, a1);
      }
      touched[wd] = 0;
    }
    return groups;
  };

  // A node of a few rows (a quarter of a deep tree's splits have 2–3): its bins sorted in a short
  // list, with their packed weights summed, rather than marked in the histogram and found again.
  const tinyBins = new Int32Array(TINY);
  const tinyWeights = new Float64Array(TINY);
  /**
   * `sweepPacked` for a node of at most TINY rows: the same candidates in the same (bin) order
   * with the same exact sums (whole numbers), so the same trees.
   */
  const sweepTiny = (f: number) => {
    const { idx: ix, bins: bs, w: pw } = nodeRows;
    let m = 0;
    let ms = 0;
    for (let j = nodeStart; j < nodeEnd; j++) {
      const i = ix[j]!;
      const b = bs[i * S + f]!;
      const v = pw[i]!;
      if (b === MISSING_BIN) {
        ms += v;
        continue;
      }
      let k = m;
      while (k > 0 && tinyBins[k - 1]! > b) k--;
      if (k > 0 && tinyBins[k - 1] === b) {
        tinyWeights[k - 1]! += v;
        continue;
      }
      for (let z = m; z > k; z--) {
        tinyBins[z] = tinyBins[z - 1]!;
        tinyWeights[z] = tinyWeights[z - 1]!;
      }
      tinyBins[k] = b;
      tinyWeights[k] = v;
      m++;
    }
    miss[1] = Math.floor(ms / PACK);
    miss[0] = ms - miss[1]! * PACK;
    missW = miss[0]! + miss[1]!;
    const last = m > 0 ? tinyBins[m - 1]! : -1;
    let a0 = 0;
    let a1 = 0;
    for (let k = 0; k < m; k++) {
      const sum = tinyWeights[k]!;
      const c1 = Math.floor(sum / PACK);
      a0 += sum - c1 * PACK;
      a1 += c1;
      if (tinyBins[k]! < last || missW > 0) considerPair(f, tinyBins[k]!, a0, a1);
    }
    return m + (missW > 0 ? 1 : 0);
  };

  /** Histograms feature f over the node's rows and tries every cut; returns as `sweepPacked` does. */
  const scanFeature = (f: number) => {
    let groups = 0;
    if (nodeHist) {
      leftAcc.fill(0);
      const hb = f * HB * K;
      // A histogram derived by subtraction keeps rounding residue where bins are empty when
      // weights are not whole (class weights): below this, a bin is empty.
      const empty = 1e-9 * W;
      for (let k = 0; k < K; k++) miss[k] = nodeHist[hb + MISSING_BIN * K + k]!;
      missW = weightOf(miss, 0);
      if (missW <= empty) {
        miss.fill(0);
        missW = 0;
      }
      let last = nBins[f]! - 1;
      while (last >= 0 && weightOf(nodeHist, hb + last * K) <= empty) last--;
      for (let b = 0; b <= last; b++) {
        // An empty bin moves nothing: the cut after it equals the one before.
        if (weightOf(nodeHist, hb + b * K) <= empty) continue;
        for (let k = 0; k < K; k++) leftAcc[k]! += nodeHist[hb + b * K + k]!;
        groups++;
        if (b < last || missW > 0) consider(f, b);
      }
    } else if (packed) {
      if (nodeEnd - nodeStart <= TINY) return sweepTiny(f);
      // As many rows as bins or more: no marks per row (a read-modify-write each), a sweep over
      // every bin of the feature instead.
      const dense = nodeEnd - nodeStart >= nBins[f]!;
      if (dense) densePacked(nodeRows.bins, S, nodeRows.idx, f, nodeStart, nodeEnd, nodeRows.w, sparse);
      else sparsePacked(nodeRows.bins, S, nodeRows.idx, f, nodeStart, nodeEnd, nodeRows.w, sparse, touched);
      return sweepPacked(f, sparse, 0, dense);
    } else {
      if (cls) sparseClasses(nodeRows.bins, S, nodeRows.idx, f, nodeStart, nodeEnd, nodeRows.yC!, nodeRows.w, K, sparse, touched);
      else sparseTargets(nodeRows.bins, S, nodeRows.idx, f, nodeStart, nodeEnd, nodeRows.yR!, nodeRows.w, sparse, touched);
      if (K === 2) return sweepPairs(f);
      leftAcc.fill(0);
      for (let k = 0; k < K; k++) {
        miss[k] = sparse[MISSING_BIN * K + k]! + sparse[SPARSE + MISSING_BIN * K + k]!;
        sparse[MISSING_BIN * K + k] = 0;
        sparse[SPARSE + MISSING_BIN * K + k] = 0;
      }
      touched[MISSING_BIN >>> 5]! &= ~(1 << (MISSING_BIN & 31));
      missW = weightOf(miss, 0);
      const last = lastTouched();
      for (let wd = 0; wd < touched.length; wd++) {
        let word = touched[wd]!;
        while (word) {
          const low = word & -word;
          word ^= low;
          const b = (wd << 5) | (31 - Math.clz32(low));
          for (let k = 0; k < K; k++) {
            leftAcc[k]! += sparse[b * K + k]! + sparse[SPARSE + b * K + k]!;
            sparse[b * K + k] = 0;
            sparse[SPARSE + b * K + k] = 0;
          }
          groups++;
          if (b < last || missW > 0) consider(f, b);
        }
        touched[wd] = 0;
      }
    }
    if (missW > 0) groups++;
    return groups;
  };

  while (top > 0) {
    top--;
    let start = pending[6 * top]!;
    let end = pending[6 * top + 1]!;
    const depth = pending[6 * top + 2]!;
    const rightOf = pending[6 * top + 3]!;
    const node = feature.length;
    feature.push(-1);
    cutAt.push(0);
    left.push(0);
    right.push(-1);
    if (rightOf >= 0) right[rightOf] = node;
    const known = pending[6 * top + 4]!;
    let gathered = pending[6 * top + 5] === 1;
    if (!gathered && end - start <= gatherAt) {
      gather(start, end);
      end -= start;
      start = 0;
      gathered = true;
    }
    const rows = gathered ? local : shared;
    const given = pendingHist[top]!;
    pendingHist[top] = null;
    for (let k = 0; k < K; k++) total[k] = pendingTotals[K * top + k]!;
    const m = Math.min(params.maxFeatures, F);
    let hist = given;
    if (subtract && !hist && end - start > SMALL) {
      hist = takeHist();
      buildHist(start, end, rows, hist);
    }
    W = weightOf(total, 0);
    parentScore = score(total, 0);
    let classes = 0;
    if (cls) for (let k = 0; k < K; k++) if (total[k]! > 0) classes++;
    const pure = cls && classes <= 1;
    // Like scikit-learn, a classifier takes the best valid split even when it gains nothing (an
    // XOR needs one; the tolerance absorbs rounding of gains that are zero in exact arithmetic).
    // Regression needs a gain: without the node's variance a constant target cannot be told apart.
    bestGain = cls ? -1e-9 * (parentScore + 1) : 1e-12 * (Math.abs(parentScore) + 1);
    bestF = -1;
    bestBin = 0;
    bestMissLeft = 0;
    missW = 0;
    // Candidates are drawn without replacement (a partial Fisher–Yates shuffle of feats), as
    // scikit-learn's best splitter draws them: every drawn feature counts towards maxFeatures,
    // constant ones too, but drawing goes on while none of the features drawn gave a valid split.
    // A known constant costs nothing; a feature found constant here joins the known ones for the
    // node's descendants. The first maxFeatures draws are made before any is scanned (the same
    // distribution as drawing one at a time), so that their histograms can be built in one pass.
    let found = 0;
    const splittable = (params.maxDepth === 0 || depth < params.maxDepth) && W >= 2 * params.minSamplesLeaf && !pure && end - start >= 2;
    if (splittable) {
      for (let c = 0; c < known; c++) isKnown[constants[c]!] = 1;
      nodeStart = start;
      nodeEnd = end;
      nodeRows = rows;
      nodeHist = hist;
      let drawn = 0;
      let G = 0;
      for (; drawn < m; drawn++) {
        swap(drawn, drawn + Math.floor(rand() * (F - drawn)));
        if (!isKnown[feats[drawn]!]) batch[G++] = feats[drawn]!;
      }
      for (let g = 0; g < G; ) {
        // Four (or three) features a pass over the rows of a node of 128 rows or more (half a
        // feature's bins: sweeping every bin costs less there than marking the touched ones);
        // the rest one by one.
        const take = packed && end - start >= HB / 2 && G - g >= 3 ? (G - g >= 4 ? 4 : 3) : 1;
        if (take !== 1) fusedPacked(rows.bins, S, rows.idx, batch, g, take, start, end, rows.w, fusedHist);
        for (let c = 0; c < take; c++, g++) {
          const groups = take > 1 ? sweepPacked(batch[g]!, fusedHist, c * 2 * HB, true) : scanFeature(batch[g]!);
          if (groups < 2) constants[known + found++] = batch[g]!;
        }
      }
      for (; bestF < 0 && drawn < F; drawn++) {
        swap(drawn, drawn + Math.floor(rand() * (F - drawn)));
        const f = feats[drawn]!;
        if (!isKnown[f] && scanFeature(f) < 2) constants[known + found++] = f;
      }
      for (let c = 0; c < known; c++) isKnown[constants[c]!] = 0;
    }

    if (bestF < 0) {
      makeLeaf(node);
      if (hist) pool.push(hist);
      continue;
    }

    // Stable partition of [start, end) by the chosen split.
    const mid = partition(rows.idx, rows.scratch, rows.bins, S, bestF, bestBin, bestMissLeft === 1, start, end);

    importance[bestF]! += bestGain;
    feature[node] = bestF;
    cutAt[node] = bestBin | (bestMissLeft << 8);
    // The left child is taken up next (pushed last): it is numbered node + 1.
    left[node] = node + 1;

    let histL: Float64Array | null = null;
    let histR: Float64Array | null = null;
    const leftSmaller = mid - start <= end - mid;
    const larger = leftSmaller ? end - mid : mid - start;
    if (subtract && hist && larger > SMALL) {
      // Histogram the smaller child; the larger is parent minus smaller.
      const smallHist = takeHist();
      if (leftSmaller) buildHist(start, mid, rows, smallHist);
      else buildHist(mid, end, rows, smallHist);
      for (let z = 0; z < histSize; z++) hist[z] = hist[z]! - smallHist[z]!;
      if (leftSmaller) {
        histR = hist;
        if (mid - start > SMALL) histL = smallHist;
        else pool.push(smallHist);
      } else {
        histL = hist;
        if (end - mid > SMALL) histR = smallHist;
        else pool.push(smallHist);
      }
    } else if (hist) {
      pool.push(hist);
    }
    for (let k = 0; k < K; k++) rightAcc[k] = total[k]! - bestLeft[k]!;
    push(mid, end, depth + 1, node, known + found, gathered, rightAcc, histR);
    push(start, mid, depth + 1, -1, known + found, gathered, bestLeft, histL);
  }

  const nodes = feature.length;
  const bin = new Uint8Array(nodes);
  const missingLeft = new Uint8Array(nodes);
  for (let i = 0; i < nodes; i++) {
    bin[i] = cutAt[i]! & 255;
    missingLeft[i] = cutAt[i]! >>> 8;
  }
  return {
    feature: Int16Array.from(feature),
    bin,
    missingLeft,
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leafValues: Float32Array.from(leafValues),
    importance,
    oob,
  };
}

/** A tree's working buffers (≈ 7 MB for 262k rows), kept for the next tree of the same shape on this thread. */
interface Buffers {
  key: string;
  w: Float64Array;
  idx: Uint32Array;
  notDrawn: Uint32Array;
  iscratch: Uint32Array;
  gb: Uint8Array;
  gyC: Uint16Array | null;
  gyR: Float64Array | null;
  gw: Float64Array;
  gidx: Uint32Array;
  gscratch: Uint32Array;
}
let kept: Buffers | null = null;

/** Drops the kept buffers (a thread does when its job is done: an idle thread holds no rows' worth of memory). */
export function releaseBuffers() {
  kept = null;
}

/** Growing is synchronous: one tree at a time uses them, and a tree keeps none of them (its out-of-bag rows are a copy). */
function buffersFor(n: number, S: number, cap: number, cls: boolean): Buffers {
  const key = `${n}/${S}/${cap}/${cls}`;
  if (kept?.key !== key) {
    kept = {
      key,
      w: new Float64Array(n),
      idx: new Uint32Array(n),
      notDrawn: new Uint32Array(n),
      iscratch: new Uint32Array(n),
      gb: new Uint8Array(cap * S),
      gyC: cls ? new Uint16Array(cap) : null,
      gyR: cls ? null : new Float64Array(cap),
      gw: new Float64Array(cap),
      gidx: new Uint32Array(cap),
      gscratch: new Uint32Array(cap),
    };
  }
  return kept;
}

/** Where a node's rows are: an index into row-major bins (S bytes a row), with each row's class or target and weight. */
interface Rows {
  idx: Uint32Array;
  /** Room for the right side of a partition. */
  scratch: Uint32Array;
  bins: Uint8Array;
  yC: Uint16Array | null;
  yR: Float64Array | null;
  w: Float64Array;
}

// The row loops, as functions of their own: V8 optimises each on its own feedback at once,
// rather than re-optimising the whole of growTree as each of its paths is first taken.

/** Histograms feature `f` over the rows idx[start..end) into `sparse` (classes), marking the touched bins. */
function sparseClasses(bins: Uint8Array, S: number, idx: Uint32Array, f: number, start: number, end: number, y: Uint16Array, w: Float64Array, K: number, sparse: Float64Array, touched: Uint32Array) {
  // Two interleaved histograms (the second at HB × K): neighbouring rows often share a bin,
  // and one running sum would make each row wait for the previous row's store.
  const second = HB * K;
  let j = start;
  for (; j + 1 < end; j += 2) {
    const i0 = idx[j]!;
    const i1 = idx[j + 1]!;
    const b0 = bins[i0 * S + f]!;
    const b1 = bins[i1 * S + f]!;
    touched[b0 >>> 5]! |= 1 << (b0 & 31);
    touched[b1 >>> 5]! |= 1 << (b1 & 31);
    sparse[b0 * K + y[i0]!]! += w[i0]!;
    sparse[second + b1 * K + y[i1]!]! += w[i1]!;
  }
  // The odd row left, in a loop (its condition always runs, so the optimiser has seen it).
  for (; j < end; j++) {
    const i = idx[j]!;
    const b = bins[i * S + f]!;
    touched[b >>> 5]! |= 1 << (b & 31);
    sparse[b * K + y[i]!]! += w[i]!;
  }
}

/** `sparseClasses` for two classes packed into one number per row (see `packed` in growTree). */
function sparsePacked(bins: Uint8Array, S: number, idx: Uint32Array, f: number, start: number, end: number, pw: Float64Array, sparse: Float64Array, touched: Uint32Array) {
  let j = start;
  for (; j + 1 < end; j += 2) {
    const i0 = idx[j]!;
    const i1 = idx[j + 1]!;
    const b0 = bins[i0 * S + f]!;
    const b1 = bins[i1 * S + f]!;
    touched[b0 >>> 5]! |= 1 << (b0 & 31);
    touched[b1 >>> 5]! |= 1 << (b1 & 31);
    sparse[b0]! += pw[i0]!;
    sparse[HB + b1]! += pw[i1]!;
  }
  for (; j < end; j++) {
    const i = idx[j]!;
    const b = bins[i * S + f]!;
    touched[b >>> 5]! |= 1 << (b & 31);
    sparse[b]! += pw[i]!;
  }
}

/** `sparsePacked` without marking touched bins. */
function densePacked(bins: Uint8Array, S: number, idx: Uint32Array, f: number, start: number, end: number, pw: Float64Array, sparse: Float64Array) {
  let j = start;
  for (; j + 1 < end; j += 2) {
    const i0 = idx[j]!;
    const i1 = idx[j + 1]!;
    sparse[bins[i0 * S + f]!]! += pw[i0]!;
    sparse[HB + bins[i1 * S + f]!]! += pw[i1]!;
  }
  for (; j < end; j++) sparse[bins[idx[j]! * S + f]!]! += pw[idx[j]!]!;
}

/**
 * `densePacked` for three or four features at once (batch[from..from + count)), feature c's two
 * lanes from c × 2 × HB: each row's index and weight are read once for all of them, and their
 * bins share the row's cache line.
 */
function fusedPacked(bins: Uint8Array, S: number, idx: Uint32Array, batch: Int32Array, from: number, count: 3 | 4, start: number, end: number, pw: Float64Array, h: Float64Array) {
  const f0 = batch[from]!;
  const f1 = batch[from + 1]!;
  const f2 = batch[from + 2]!;
  const four = count === 4;
  const f3 = four ? batch[from + 3]! : 0;
  let j = start;
  for (; j + 1 < end; j += 2) {
    const i0 = idx[j]!;
    const i1 = idx[j + 1]!;
    const o0 = i0 * S;
    const o1 = i1 * S;
    const w0 = pw[i0]!;
    const w1 = pw[i1]!;
    h[bins[o0 + f0]!]! += w0;
    h[HB + bins[o1 + f0]!]! += w1;
    h[2 * HB + bins[o0 + f1]!]! += w0;
    h[3 * HB + bins[o1 + f1]!]! += w1;
    h[4 * HB + bins[o0 + f2]!]! += w0;
    h[5 * HB + bins[o1 + f2]!]! += w1;
    if (four) {
      h[6 * HB + bins[o0 + f3]!]! += w0;
      h[7 * HB + bins[o1 + f3]!]! += w1;
    }
  }
  for (; j < end; j++) {
    const i = idx[j]!;
    h[bins[i * S + f0]!]! += pw[i]!;
    h[2 * HB + bins[i * S + f1]!]! += pw[i]!;
    h[4 * HB + bins[i * S + f2]!]! += pw[i]!;
    if (four) h[6 * HB + bins[i * S + f3]!]! += pw[i]!;
  }
}

/** `sparseClasses` for regression: weight and weighted target per bin. */
function sparseTargets(bins: Uint8Array, S: number, idx: Uint32Array, f: number, start: number, end: number, y: Float64Array, w: Float64Array, sparse: Float64Array, touched: Uint32Array) {
  for (let j = start; j < end; j++) {
    const i = idx[j]!;
    const b = bins[i * S + f]!;
    touched[b >>> 5]! |= 1 << (b & 31);
    sparse[2 * b]! += w[i]!;
    sparse[2 * b + 1]! += w[i]! * y[i]!;
  }
}

/** Stable partition of the index range [start, end) by "bin of feature f <= cut" (missing bins go left when `missingLeft`); returns where the right side starts. */
function partition(idx: Uint32Array, scratch: Uint32Array, bins: Uint8Array, S: number, f: number, cut: number, missingLeft: boolean, start: number, end: number) {
  let a = start;
  let r = 0;
  // Without a branch per row (which side a row goes is a coin toss to the predictor): each row
  // is written to both sides and only its own side's cursor moves. With missing values going
  // left, bins are shifted by one (the missing bin, 255, wraps to 0) so one comparison decides.
  const shift = missingLeft ? 1 : 0;
  const limit = cut + shift;
  for (let j = start; j < end; j++) {
    const i = idx[j]!;
    const right = (limit - ((bins[i * S + f]! + shift) & 255)) >>> 31;
    idx[a] = i;
    scratch[r] = i;
    a += right ^ 1;
    r += right;
  }
  // A plain loop rather than set(subarray()): no named access for the optimiser to lack feedback on.
  for (let z = 0; z < r; z++) idx[a + z] = scratch[z]!;
  return a;
}
