/**
 * Pre-binning: every feature becomes a column of bytes. Numeric features get at most 255
 * quantile bins; categorical features get one bin per category (the 254 most frequent; the
 * rest share one), ordered by their mean target so threshold splits can group them. Missing
 * values go to bin 255 and learn their own direction at every split.
 */
export const MISSING_BIN = 255;
const MAX_BINS = 255;

export type FeatureBinning =
  | { name: string; kind: "numeric"; /** bin b holds x <= edges[b]; the last bin holds the rest */ edges: number[] }
  | { name: string; kind: "categorical"; /** categories in bin order */ categories: string[] };

export interface BinnedData {
  n: number;
  binnings: FeatureBinning[];
  /** Column-major: feature f of row i at bins[f * n + i]. May live on a SharedArrayBuffer. */
  bins: Uint8Array;
}

export const binCount = (b: FeatureBinning) => (b.kind === "numeric" ? b.edges.length + 1 : b.categories.length);

/** Quantile edges from (a deterministic sample of) the finite values. */
export function fitNumeric(name: string, values: ArrayLike<number | null>, maxBins = MAX_BINS, maxSample = 200_000): FeatureBinning {
  const n = values.length;
  const stride = Math.max(1, Math.floor(n / maxSample));
  const sample: number[] = [];
  for (let i = 0; i < n; i += stride) {
    const v = values[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) sample.push(v);
  }
  const sorted = Float64Array.from(sample).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  let edges: number[];
  if (distinct.length <= maxBins) {
    // One bin per value: split halfway between neighbours.
    edges = distinct.slice(0, -1).map((v, i) => v + (distinct[i + 1]! - v) / 2);
  } else {
    edges = [];
    for (let k = 1; k < maxBins; k++) {
      const q = sorted[Math.floor((k * sorted.length) / maxBins)]!;
      if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
    }
    if (edges[edges.length - 1] === distinct[distinct.length - 1]) edges.pop();
  }
  return { name, kind: "numeric", edges };
}

/** Categories ordered by mean target (`score`), most frequent first when there are too many. */
export function fitCategorical(name: string, values: ArrayLike<unknown>, score: ArrayLike<number>, maxBins = MAX_BINS - 1): FeatureBinning {
  const stats = new Map<string, { n: number; s: number }>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const key = String(v);
    const st = stats.get(key) ?? stats.set(key, { n: 0, s: 0 }).get(key)!;
    st.n++;
    st.s += score[i]!;
  }
  let entries = [...stats.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  if (entries.length > maxBins) entries = entries.slice(0, maxBins);
  entries.sort((a, b) => a[1].s / a[1].n - b[1].s / b[1].n || (a[0] < b[0] ? -1 : 1));
  return { name, kind: "categorical", categories: entries.map(([k]) => k) };
}

function lowerBound(edges: ArrayLike<number>, x: number) {
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

/** Bins every column into one (optionally shared) byte buffer. */
export function binColumns(binnings: FeatureBinning[], columns: ArrayLike<unknown>[], shared = true): BinnedData {
  const n = columns[0]?.length ?? 0;
  const F = binnings.length;
  const buffer = shared ? new SharedArrayBuffer(n * F) : new ArrayBuffer(n * F);
  const bins = new Uint8Array(buffer);
  binnings.forEach((b, f) => {
    const col = columns[f]!;
    const off = f * n;
    if (b.kind === "numeric") {
      const edges = Float64Array.from(b.edges);
      for (let i = 0; i < n; i++) {
        const v = col[i] as number | null;
        bins[off + i] = v === null || v === undefined || Number.isNaN(v) ? MISSING_BIN : lowerBound(edges, v);
      }
    } else {
      const index = categoryIndex(b);
      for (let i = 0; i < n; i++) bins[off + i] = binValue(b, col[i], index);
    }
  });
  return { n, binnings, bins };
}
