/**
 * Growing one tree on binned data: depth-first, node samples kept as a contiguous range of
 * an index array that is stably partitioned at every split (so reads stay in row order),
 * histograms per (feature, bin), and — when every feature is a candidate at every split —
 * the larger child's histogram as parent minus the smaller child's.
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
  bins: Uint8Array;
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
}

const HB = 256; // bins per feature in a histogram, including the missing bin

export function growTree(data: TrainingSet, params: TreeParams, rand: () => number): BinTree {
  const { n, nFeatures: F, bins, nBins } = data;
  const cls = params.task === "classification";
  const K = cls ? params.nClasses : 2; // regression stats: [sum w, sum w*y]
  const yC = data.yClass;
  const yR = data.yReg;

  // Bootstrap by weights: n draws with replacement become per-row counts.
  const w = new Float64Array(n);
  for (let d = 0; d < n; d++) w[Math.floor(rand() * n)]! += 1;
  if (cls && data.classWeight) for (let i = 0; i < n; i++) if (w[i]) w[i]! *= data.classWeight[yC![i]!]!;
  let inBag = 0;
  for (let i = 0; i < n; i++) if (w[i]! > 0) inBag++;
  const idx = new Uint32Array(inBag);
  const oob = new Uint32Array(n - inBag);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (w[i]! > 0) idx[a++] = i;
    else oob[b++] = i;
  }
  const scratch = new Uint32Array(inBag);

  const subtract = params.maxFeatures > F / 2;
  const histSize = F * HB * K;

  const feature: number[] = [];
  const binAt: number[] = [];
  const missL: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leafValues: number[] = [];
  const importance = new Float64Array(F);
  const feats = new Int32Array(F);

  // Accumulates a node's histogram over the given features (row-major bins: a row's features
  // share a cache line, so rows scattered through the data cost one miss for all of them).
  const buildHist = (start: number, end: number, fs: ArrayLike<number>, nf: number, hist: Float64Array) => {
    for (let q = 0; q < nf; q++) {
      const f = fs[q]!;
      const hb = f * HB * K;
      // Clear only this feature's rows: small nodes must not pay for the whole histogram.
      hist.fill(0, hb, hb + HB * K);
      if (cls) {
        for (let j = start; j < end; j++) {
          const i = idx[j]!;
          hist[hb + bins[i * F + f]! * K + yC![i]!]! += w[i]!;
        }
      } else {
        for (let j = start; j < end; j++) {
          const i = idx[j]!;
          const o = hb + bins[i * F + f]! * 2;
          const wi = w[i]!;
          hist[o]! += wi;
          hist[o + 1]! += wi * yR![i]!;
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
    binAt[node] = 0;
    missL[node] = 0;
    left[node] = leafValues.length;
    right[node] = -1;
    if (cls) {
      const W = weightOf(total, 0);
      for (let k = 0; k < K; k++) leafValues.push(W > 0 ? total[k]! / W : 0);
    } else {
      leafValues.push(total[0]! > 0 ? total[1]! / total[0]! : 0);
    }
  };

  type Pending = { start: number; end: number; depth: number; node: number; hist: Float64Array | null; totals: Float64Array };
  const rootTotals = new Float64Array(K);
  for (let j = 0; j < inBag; j++) {
    const i = idx[j]!;
    if (cls) rootTotals[yC![i]!]! += w[i]!;
    else {
      rootTotals[0]! += w[i]!;
      rootTotals[1]! += w[i]! * yR![i]!;
    }
  }
  const stack: Pending[] = [{ start: 0, end: inBag, depth: 0, node: 0, hist: null, totals: rootTotals }];
  // Below this many rows a node is split by sorting its rows by bin instead of by histogram.
  const SMALL = 64;
  const order = new Uint32Array(SMALL);
  const keys = new Uint8Array(inBag > 0 ? inBag : 1);
  let nodeCount = 1;
  const allFeatures = Int32Array.from({ length: F }, (_, f) => f);
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
  // Candidate features are drawn one at a time (a partial Fisher–Yates shuffle).
  const draw = (a: number) => {
    const b = a + Math.floor(rand() * (F - a));
    const t = feats[a]!;
    feats[a] = feats[b]!;
    feats[b] = t;
    return feats[a]!;
  };
  const consider = (f: number, b: number) => {
    for (let side = 0; side < (missW > 0 ? 2 : 1); side++) {
      // side 0: missing goes right; side 1: missing goes left
      for (let k = 0; k < K; k++) {
        tmp[k] = leftAcc[k]! + (side ? miss[k]! : 0);
        rightAcc[k] = total[k]! - tmp[k]!;
      }
      const wl = weightOf(tmp, 0);
      const wr = W - wl;
      if (wl < params.minSamplesLeaf || wr < params.minSamplesLeaf) continue;
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

  while (stack.length) {
    const { start, end, depth, node, hist: given, totals } = stack.pop()!;
    total.set(totals);
    const small = end - start <= SMALL;
    for (let f = 0; f < F; f++) feats[f] = f;
    const m = Math.min(params.maxFeatures, F);
    let hist = given;
    if (!hist && !small) {
      hist = takeHist();
      if (subtract) buildHist(start, end, allFeatures, F, hist);
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
    // Features that vary in this node count towards maxFeatures; constant ones do not (as in scikit-learn).
    let visited = 0;
    const splittable = (params.maxDepth === 0 || depth < params.maxDepth) && W >= 2 * params.minSamplesLeaf && !pure && end - start >= 2;
    if (splittable && small) {
      // Sort the node's rows by bin (insertion sort: at most SMALL rows) and scan bin boundaries.
      for (let q = 0; q < F && (visited < m || bestF < 0); q++) {
        const f = draw(q);
        miss.fill(0);
        let k0 = 0;
        for (let j = start; j < end; j++) {
          const i = idx[j]!;
          const b = bins[i * F + f]!;
          keys[j] = b;
          if (b === MISSING_BIN) {
            if (cls) miss[yC![i]!]! += w[i]!;
            else {
              miss[0]! += w[i]!;
              miss[1]! += w[i]! * yR![i]!;
            }
          } else {
            let p = k0++;
            while (p > 0 && keys[start + order[p - 1]!]! > b) {
              order[p] = order[p - 1]!;
              p--;
            }
            order[p] = j - start;
          }
        }
        missW = weightOf(miss, 0);
        leftAcc.fill(0);
        let groups = missW > 0 ? 1 : 0;
        for (let p = 0; p < k0; p++) {
          const j = start + order[p]!;
          const i = idx[j]!;
          if (cls) leftAcc[yC![i]!]! += w[i]!;
          else {
            leftAcc[0]! += w[i]!;
            leftAcc[1]! += w[i]! * yR![i]!;
          }
          const b = keys[j]!;
          if (p + 1 < k0 && keys[start + order[p + 1]!] === b) continue;
          groups++;
          if (p + 1 === k0 && missW === 0) break; // everything left: not a split
          consider(f, b);
        }
        if (groups >= 2) visited++;
      }
    } else if (splittable) {
      for (let q = 0; q < F && (visited < m || bestF < 0); q++) {
        const f = draw(q);
        if (!subtract) buildHist(start, end, feats.subarray(q, q + 1), 1, hist!);
        const hb = f * HB * K;
        const nb = nBins[f]!;
        for (let k = 0; k < K; k++) miss[k] = hist![hb + MISSING_BIN * K + k]!;
        missW = weightOf(miss, 0);
        leftAcc.fill(0);
        let groups = missW > 0 ? 1 : 0;
        for (let k = 0; nb > 0 && k < K; k++) if (hist![hb + (nb - 1) * K + k] !== 0) {
          groups++;
          break;
        }
        for (let b = 0; b < nb - 1; b++) {
          // An empty bin moves nothing: the split after it equals the one before.
          let moved = false;
          for (let k = 0; k < K; k++) {
            const h = hist![hb + b * K + k]!;
            if (h !== 0) {
              leftAcc[k]! += h;
              moved = true;
            }
          }
          if (!moved) continue;
          groups++;
          consider(f, b);
        }
        if (groups >= 2) visited++;
      }
    }

    if (bestF < 0) {
      makeLeaf(node);
      if (hist) pool.push(hist);
      continue;
    }

    // Stable partition of [start, end) by the chosen split.
    let a = start;
    let r = 0;
    for (let j = start; j < end; j++) {
      const i = idx[j]!;
      const b = bins[i * F + bestF]!;
      const goLeft = b === MISSING_BIN ? bestMissLeft === 1 : b <= bestBin;
      if (goLeft) idx[a++] = i;
      else scratch[r++] = i;
    }
    idx.set(scratch.subarray(0, r), a);
    const mid = a;

    importance[bestF]! += bestGain;
    feature[node] = bestF;
    binAt[node] = bestBin;
    missL[node] = bestMissLeft;
    const l = nodeCount++;
    const rr = nodeCount++;
    left[node] = l;
    right[node] = rr;

    let histL: Float64Array | null = null;
    let histR: Float64Array | null = null;
    const leftSmaller = mid - start <= end - mid;
    const larger = leftSmaller ? end - mid : mid - start;
    if (subtract && hist && larger > SMALL) {
      // Histogram the smaller child; the larger is parent minus smaller.
      const smallHist = takeHist();
      if (leftSmaller) buildHist(start, mid, allFeatures, F, smallHist);
      else buildHist(mid, end, allFeatures, F, smallHist);
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
    const leftTotals = Float64Array.from(bestLeft);
    const rightTotals = total.map((t, k) => t - leftTotals[k]!);
    stack.push({ start: mid, end, depth: depth + 1, node: rr, hist: histR, totals: rightTotals });
    stack.push({ start, end: mid, depth: depth + 1, node: l, hist: histL, totals: leftTotals });
  }

  return {
    feature: Int16Array.from(feature),
    bin: Uint8Array.from(binAt),
    missingLeft: Uint8Array.from(missL),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leafValues: Float32Array.from(leafValues),
    importance,
    oob,
  };
}
