/**
 * Reference profiles: what a model's features and its target looked like in training, as counts
 * on fixed bins — deciles of each numeric feature, the most frequent categories of each text one,
 * plus a bin for missing values (and one for categories training did not see). Stored in the model
 * file; the serving runtime bins each live request's prepared features on the same bins (O(1) per
 * feature: a binary search over at most ten edges, or a map lookup), and drift compares the two.
 * Pure.
 */
import { lowerBound, sortFinite } from "./binning";

/** Numeric: bin i holds x <= edges[i]; bin edges.length the rest; the last bin, missing values. */
interface NumericProfile {
  name: string;
  kind: "numeric";
  edges: number[];
  counts: number[];
}
/** Categorical: one bin per category, then "any other value", then missing. */
interface CategoricalProfile {
  name: string;
  kind: "categorical";
  categories: string[];
  counts: number[];
}
export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface ReferenceProfile {
  rows: number;
  features: FeatureProfile[];
  /**
   * The model's own predictions on (a sample of) its training rows, on the same kind of bins:
   * what live predictions are compared with. (Not the target: a forest's predictions are narrower
   * than the target, and would look drifted on calm traffic.)
   */
  prediction: FeatureProfile;
}

const DECILES = 10;
const TOP_CATEGORIES = 20;
/** Rows sampled for the edges (deterministically: every k-th finite value). */
const EDGE_SAMPLE = 100_000;

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));

/** Quantile edges (deciles) of the finite values; as many as there are distinct values when fewer. */
function numericEdges(values: ArrayLike<unknown>): number[] {
  const finite: number[] = [];
  const step = Math.max(1, Math.floor(values.length / EDGE_SAMPLE));
  for (let i = 0; i < values.length; i += step) {
    const v = values[i];
    if (typeof v === "number" && Number.isFinite(v)) finite.push(v);
  }
  const sorted = sortFinite(Float64Array.from(finite));
  const edges: number[] = [];
  for (let q = 1; q < DECILES; q++) {
    if (!sorted.length) break;
    const e = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / DECILES))]!;
    if (edges[edges.length - 1] !== e) edges.push(e);
  }
  // The largest value needs no edge of its own: the bin after the last edge holds it.
  if (edges.length && edges[edges.length - 1] === sorted[sorted.length - 1]) edges.pop();
  return edges;
}

/** How often each category (a value's text) occurs, and how many values are missing. */
function categoryCounts(values: ArrayLike<unknown>): { freq: Map<string, number>; missing: number } {
  const freq = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      missing++;
      continue;
    }
    const key = String(v);
    freq.set(key, (freq.get(key) ?? 0) + 1);
  }
  return { freq, missing };
}

const topCategories = (freq: Map<string, number>, limit: number) =>
  [...freq].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([k]) => k);

/** A function from a value to its bin in a profile (built once per model, used per request). */
export function binner(p: FeatureProfile): (v: unknown) => number {
  const missing = p.counts.length - 1;
  if (p.kind === "numeric") {
    const edges = p.edges;
    return (v) => {
      const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
      return Number.isNaN(x) ? missing : lowerBound(edges, x);
    };
  }
  const index = new Map(p.categories.map((c, i) => [c, i]));
  const other = p.categories.length;
  return (v) => (isMissing(v) ? missing : (index.get(String(v)) ?? other));
}

/**
 * A column's profile: its bins, and every value counted in the bin `binner` gives it — from the
 * category counts themselves for text, in one pass over the numbers for numeric columns.
 */
function profileOf(name: string, values: ArrayLike<unknown>, kind: "numeric" | "categorical", categoryLimit = TOP_CATEGORIES): FeatureProfile {
  if (kind === "categorical") {
    const { freq, missing } = categoryCounts(values);
    const categories = topCategories(freq, categoryLimit);
    const counts = categories.map((c) => freq.get(c)!);
    const other = values.length - missing - counts.reduce((a, b) => a + b, 0);
    return { name, kind, categories, counts: [...counts, other, missing] };
  }
  const edgeList = numericEdges(values);
  const counts = new Array<number>(edgeList.length + 2).fill(0);
  const p: NumericProfile = { name, kind, edges: edgeList, counts };
  const missing = counts.length - 1;
  const edges = Float64Array.from(p.edges);
  const bin = binner(p);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Numbers (the rows a model trained on) directly; anything else as binner bins it.
    if (typeof v === "number") counts[Number.isNaN(v) ? missing : lowerBound(edges, v)]!++;
    else counts[bin(v)]!++;
  }
  return p;
}

/** The profile of a model's predictions (classes, or deciles of values), the reference live predictions are compared with. */
export const predictionProfile = (task: "classification" | "regression", values: ArrayLike<unknown>) =>
  task === "classification" ? profileOf("prediction", values, "categorical", 100) : profileOf("prediction", values, "numeric");

/**
 * The profile of a training set: its features as the model reads them, and (until the trainer
 * replaces it with the model's own predictions) its target.
 */
export function buildProfile(
  features: { name: string; kind: "numeric" | "categorical"; values: ArrayLike<unknown> }[],
  target: { task: "classification" | "regression"; values: ArrayLike<unknown> },
): ReferenceProfile {
  return {
    rows: target.values.length,
    features: features.map((f) => profileOf(f.name, f.values, f.kind)),
    prediction: predictionProfile(target.task, target.values),
  };
}

/** Bin labels for charts: "≤ 3.2", "3.2 – 4.1", "> 9", the categories, "other", "missing". */
export function binLabels(p: FeatureProfile): string[] {
  const fmt = (x: number) => (Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x * 100) / 100) : x.toPrecision(3));
  if (p.kind === "categorical") return [...p.categories, "other", "missing"];
  if (!p.edges.length) return ["all values", "missing"];
  const labels = p.edges.map((e, i) => (i === 0 ? `≤ ${fmt(e)}` : `${fmt(p.edges[i - 1]!)} – ${fmt(e)}`));
  labels.push(`> ${fmt(p.edges[p.edges.length - 1]!)}`, "missing");
  return labels;
}
