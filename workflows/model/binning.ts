/**
 * Pre-binning: every feature becomes a column of bytes. Numeric features get at most 255
 * quantile bins; categorical features get one bin per category (the 254 most frequent; the
 * rest are treated as missing), ordered by their smoothed mean target so threshold splits can
 * group them. Missing values go to bin 255 and learn their own direction at every split.
 *
 * A category's place in that order comes from its rows' targets, so binning the training rows
 * by their own category would leak each row's target into its feature (a unique ID column would
 * split perfectly). Training rows are therefore binned out of fold (`outOfFoldCategoricalBins`):
 * by the target statistics of their category in the other folds, placed on the same order.
 */
export const MISSING_BIN = 255;
const MAX_BINS = 255;

export type FeatureBinning =
  | { name: string; kind: "numeric"; /** bin b holds x <= edges[b]; the last bin holds the rest */ edges: number[] }
  | { name: string; kind: "categorical"; /** categories in bin order */ categories: string[] };

export interface BinnedData {
  n: number;
  binnings: FeatureBinning[];
  /**
   * Row-major: feature f of row i at bins[i * stride + f], so a node's candidate features are read
   * from one cache line per row. May live on a SharedArrayBuffer.
   */
  bins: Uint8Array;
  /** Bytes a row: the features, then zeros up to a whole number of words when asked (see binColumns). */
  stride: number;
}

export const binCount = (b: FeatureBinning) => (b.kind === "numeric" ? b.edges.length + 1 : b.categories.length);

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);
/** The smallest float32 that is >= x, so `v <= x` implies `v <= result` (the served forest's thresholds). */
export function float32AtLeast(x: number): number {
  f32[0] = x;
  if (f32[0]! < x) f32Bits[0] = f32[0]! >= 0 ? f32Bits[0]! + 1 : f32Bits[0]! - 1;
  return f32[0]!;
}

/**
 * Where to cut between two neighbouring values: halfway, as scikit-learn cuts — unless the served
 * forest's threshold (rounded up to float32) would reach the upper one; then at the lower value,
 * so that serving sends both where training did.
 */
function cutBetween(v: number, next: number) {
  const mid = v + (next - v) / 2;
  return float32AtLeast(mid) < next ? mid : v;
}

/** Which 32-bit half of a float64 holds its sign and exponent, on this machine. */
const HIGH = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Sorts finite numbers in place, in the order `Float64Array.prototype.sort` gives (−0 before +0):
 * a radix sort of their bits, 16 at a time, skipping the digits all values share (whole numbers
 * share their low bits) — ≈ 2× the native sort on a column of 262k delays or times.
 */
export function sortFinite(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 4096) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  // Keys that order as unsigned integers as the numbers do: negative ones' bits inverted, the
  // sign bit set on the others.
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  // The four digits' counts, taken in the same pass.
  const all = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + HIGH]!;
    const l = words[2 * i + 1 - HIGH]!;
    const negative = h >>> 31;
    const kh = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    const kl = negative ? ~l >>> 0 : l;
    hi[i] = kh;
    lo[i] = kl;
    all[kl & 0xffff]!++;
    all[65536 + (kl >>> 16)]!++;
    all[131072 + (kh & 0xffff)]!++;
    all[196608 + (kh >>> 16)]!++;
  }
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    const counts = all.subarray(pass * 65536, (pass + 1) * 65536);
    // A digit every value shares moves nothing.
    if (counts[(src[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(src[i]! >>> shift) & 0xffff]!++;
      hi2[at] = hi[i]!;
      lo2[at] = lo[i]!;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const l = lo[i]!;
    const negative = (h >>> 31) ^ 1;
    words[2 * i + HIGH] = negative ? ~h >>> 0 : (h & 0x7fffffff) >>> 0;
    words[2 * i + 1 - HIGH] = negative ? ~l >>> 0 : l;
  }
  return values;
}

/** Quantile edges from (a deterministic sample of) the finite values. */
export function fitNumeric(name: string, values: ArrayLike<number | null>, maxBins = MAX_BINS, maxSample = 200_000): FeatureBinning {
  const n = values.length;
  const stride = Math.max(1, Math.floor(n / maxSample));
  const sample = new Float64Array(Math.ceil(n / stride));
  let m = 0;
  for (let i = 0; i < n; i += stride) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) sample[m++] = v;
  }
  const sorted = sortFinite(sample.subarray(0, m));
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  let edges: number[];
  if (distinct.length <= maxBins) {
    // One bin per value: split halfway between neighbours.
    edges = distinct.slice(0, -1).map((v, i) => cutBetween(v, distinct[i + 1]!));
  } else {
    // Edges at quantiles of a blend of the rows' distribution and the distinct values': dense
    // where the data is dense, yet long tails (where a regressor's largest errors are) keep
    // resolution — a delay of 300 minutes must not share a bin with one of 900. For values that
    // are all distinct the two agree and these are plain quantiles.
    edges = [];
    const N = sorted.length;
    const D = distinct.length;
    let rowsUpTo = 0;
    let k = 1;
    for (let j = 0; j < D && k < maxBins; j++) {
      while (rowsUpTo < N && sorted[rowsUpTo]! <= distinct[j]!) rowsUpTo++;
      const blended = (rowsUpTo / N + (j + 1) / D) / 2;
      if (blended >= k / maxBins) {
        // Between this value and the next (see cutBetween): a value training never saw between
        // the two goes the way of the nearer one; the sampled rows fall in the same bins either way.
        edges.push(j + 1 < D ? cutBetween(distinct[j]!, distinct[j + 1]!) : distinct[j]!);
        while (k < maxBins && blended >= k / maxBins) k++;
      }
    }
    if (edges[edges.length - 1] === distinct[distinct.length - 1]) edges.pop();
  }
  return { name, kind: "numeric", edges };
}

/**
 * A category with this many training rows or more bins its rows by its own score: one row moves it
 * by 2% at most, and out-of-fold scores of categories with close rates (male and female penguins)
 * would put some of their rows in each other's bins. Rarer ones (IDs, where a row's own target
 * would make the split) are binned out of fold.
 */
const OWN_BIN_ROWS = 50;
/** Folds for out-of-fold category statistics. */
const FOLDS = 5;
/** Weight of the prior in a category's smoothed mean target (pseudo-rows). */
const SMOOTHING = 1;

/** A row's fold: a fixed hash of its index, so every worker and slice bins alike. */
function foldOf(i: number) {
  let h = Math.imul(i + 0x632be5ab, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  return ((h ^ (h >>> 13)) >>> 0) % FOLDS;
}

/**
 * A categorical feature fitted on training rows: its categories in order of smoothed mean target
 * (`score`; the most frequent kept when there are too many) and each training row's bin, out of
 * fold. A category that only occurs in a row's own fold sits at the prior for that row.
 */
export function fitCategorical(
  name: string,
  values: ArrayLike<unknown>,
  score: ArrayLike<number>,
  maxBins = MAX_BINS - 1,
): { binning: FeatureBinning; trainingBins: Uint8Array } {
  const n = values.length;
  // Per category: [n, s] overall, then [n, s] per fold.
  const stats = new Map<string, Float64Array>();
  let prior = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const key = String(v);
    let st = stats.get(key);
    if (!st) stats.set(key, (st = new Float64Array(2 + 2 * FOLDS)));
    const f = foldOf(i);
    st[0]!++;
    st[1]! += score[i]!;
    st[2 + 2 * f]!++;
    st[3 + 2 * f]! += score[i]!;
    prior += score[i]!;
    counted++;
  }
  prior = counted ? prior / counted : 0;
  const smoothed = (cnt: number, sum: number) => (sum + SMOOTHING * prior) / (cnt + SMOOTHING);
  let entries = [...stats.entries()].sort((a, b) => b[1][0]! - a[1][0]! || (a[0] < b[0] ? -1 : 1));
  if (entries.length > maxBins) entries = entries.slice(0, maxBins);
  const scored = entries.map(([k, st]) => ({ k, st, s: smoothed(st[0]!, st[1]!) })).sort((a, b) => a.s - b.s || (a.k < b.k ? -1 : 1));
  // A row goes to the category whose (whole-data) score is nearest its out-of-fold score: bins
  // are the intervals between midpoints of neighbouring scores.
  const mids = Float64Array.from(scored.slice(1), (e, k) => (scored[k]!.s + e.s) / 2);
  // Each kept category's statistics and its own bin (its place in the order).
  const kept = new Map(scored.map((e, bin) => [e.k, { st: e.st, bin }] as const));
  const trainingBins = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const cat = v === null || v === undefined ? undefined : kept.get(String(v));
    if (!cat) trainingBins[i] = MISSING_BIN;
    else if (cat.st[0]! >= OWN_BIN_ROWS) trainingBins[i] = cat.bin;
    else {
      const f = foldOf(i);
      trainingBins[i] = lowerBound(mids, smoothed(cat.st[0]! - cat.st[2 + 2 * f]!, cat.st[1]! - cat.st[3 + 2 * f]!));
    }
  }
  return { binning: { name, kind: "categorical", categories: scored.map((e) => e.k) }, trainingBins };
}

/** The first bin whose upper edge is at least x (edges ascending): binary search. */
export function lowerBound(edges: ArrayLike<number>, x: number) {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function binValue(b: FeatureBinning, v: unknown, catIndex?: Map<string, number>): number {
  if (v === null || v === undefined) return MISSING_BIN;
  if (b.kind === "numeric") {
    const x = Number(v);
    return Number.isNaN(x) ? MISSING_BIN : lowerBound(b.edges, x);
  }
  const idx = (catIndex ?? categoryIndex(b)).get(String(v));
  return idx === undefined ? MISSING_BIN : idx;
}

export const categoryIndex = (b: FeatureBinning) =>
  new Map(b.kind === "categorical" ? b.categories.map((c, i) => [c, i] as const) : []);

/**
 * Bins every column into one (optionally shared) byte buffer; `given` holds columns already
 * binned (categorical training bins, out of fold) by feature index. `padded`: rows of a whole
 * number of 4-byte words (the training set: its rows are copied a word at a time).
 */
export function binColumns(binnings: FeatureBinning[], columns: ArrayLike<unknown>[], shared = true, given: (Uint8Array | undefined)[] = [], padded = false): BinnedData {
  const n = columns[0]?.length ?? 0;
  const F = padded ? (binnings.length + 3) & ~3 : binnings.length;
  const buffer = shared ? new SharedArrayBuffer(n * F) : new ArrayBuffer(n * F);
  const bins = new Uint8Array(buffer);
  binnings.forEach((b, f) => {
    const col = columns[f]!;
    const pre = given[f];
    if (pre) for (let i = 0; i < n; i++) bins[i * F + f] = pre[i]!;
    else if (b.kind === "numeric") {
      const edges = Float64Array.from(b.edges);
      for (let i = 0; i < n; i++) {
        const v = col[i] as number | null;
        bins[i * F + f] = v === null || v === undefined || Number.isNaN(v) ? MISSING_BIN : lowerBound(edges, v);
      }
    } else {
      const index = categoryIndex(b);
      for (let i = 0; i < n; i++) bins[i * F + f] = binValue(b, col[i], index);
    }
  });
  return { n, binnings, bins, stride: F };
}
