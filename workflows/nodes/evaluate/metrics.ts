/**
 * Scores as scikit-learn defines them (sklearn.metrics, 1.x): the same inputs give the same
 * numbers to 1e-9 (evaluate.test.ts checks fixtures computed by scikit-learn), plus the chart
 * data the run page draws. Pure functions over arrays: no I/O.
 */
import type { Label } from "~/workflows/model/model-file";
import type { ClassificationCharts, Curve, RegressionCharts } from "./spec";

/** At most this many points per drawn curve (thinned evenly; the metrics use every point). */
const CURVE_POINTS = 200;
/** Confusion matrices are drawn for at most this many classes. */
const MATRIX_CLASSES = 30;

const sortLabels = (a: Label, b: Label) => (a < b ? -1 : a > b ? 1 : 0);
const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);

function thin(xs: number[], ys: number[]) {
  if (xs.length <= CURVE_POINTS) return { x: xs, y: ys };
  const keep = Array.from({ length: CURVE_POINTS }, (_, i) => Math.round((i * (xs.length - 1)) / (CURVE_POINTS - 1)));
  return { x: keep.map((i) => xs[i]!), y: keep.map((i) => ys[i]!) };
}

type Counts = { tps: number[]; fps: number[]; P: number; N: number };

/**
 * Cumulative true and false positives at each distinct score, highest first (scikit-learn's
 * `_binary_clf_curve`): ties share one threshold.
 */
function binaryCurve(positive: boolean[], score: number[]): Counts {
  const order = score.map((_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (positive[i]) tp++;
    else fp++;
    if (k + 1 === order.length || score[order[k + 1]!] !== score[i]) {
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { tps, fps, P: tp, N: fp };
}

/** ROC AUC by the trapezoidal rule over the ROC curve (`roc_auc_score`); undefined with one class present. */
function rocAuc({ tps, fps, P, N }: Counts): { auc: number; fpr: number[]; tpr: number[] } | undefined {
  if (P === 0 || N === 0) return undefined;
  const fpr = [0, ...fps.map((f) => f / N)];
  const tpr = [0, ...tps.map((t) => t / P)];
  let auc = 0;
  for (let k = 1; k < fpr.length; k++) auc += ((fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!)) / 2;
  return { auc, fpr, tpr };
}

/** Average precision (`average_precision_score`): Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds. */
function averagePrecision({ tps, fps, P }: Counts): { ap: number; recall: number[]; precision: number[] } | undefined {
  if (P === 0) return undefined;
  let ap = 0;
  let prevRecall = 0;
  const recall: number[] = [];
  const precision: number[] = [];
  for (let k = 0; k < tps.length; k++) {
    const r = tps[k]! / P;
    const p = tps[k]! / (tps[k]! + fps[k]!);
    ap += (r - prevRecall) * p;
    prevRecall = r;
    recall.push(r);
    precision.push(p);
  }
  return { ap, recall, precision };
}

/** `log_loss`: probabilities clipped to [ε, 1 − ε] (ε of float64), natural log, mean over rows. */
function logLoss(actualIndex: number[], proba: number[][]): number {
  const eps = Number.EPSILON;
  let s = 0;
  for (let i = 0; i < actualIndex.length; i++) s -= Math.log(Math.min(Math.max(proba[i]![actualIndex[i]!]!, eps), 1 - eps));
  return s / actualIndex.length;
}

/** `calibration_curve(n_bins=10, strategy="uniform")`: mean predicted and observed rate per non-empty bin. */
function calibrationCurve(positive: boolean[], prob: number[], bins = 10) {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < prob.length; i++) {
    // searchsorted(edges[1:-1], p, side="left"): a value on an inner edge belongs to the lower bin.
    let b = 0;
    while (b < bins - 1 && prob[i]! > (b + 1) / bins) b++;
    sumP[b]! += prob[i]!;
    sumY[b]! += positive[i] ? 1 : 0;
    count[b]!++;
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < bins; b++) {
    if (!count[b]) continue;
    x.push(sumP[b]! / count[b]!);
    y.push(sumY[b]! / count[b]!);
  }
  return { x, y };
}

/**
 * Classification scores. `classes` are the model's labels (its probability columns, in order);
 * precision, recall and F1 run over the labels present in either list (as scikit-learn's
 * `unique_labels`), with 0 where a ratio is undefined (`zero_division` default).
 */
export function classificationMetrics(actual: Label[], predicted: Label[], proba?: { classes: Label[]; rows: number[][] }) {
  const n = actual.length;
  const labels = [...new Set([...actual, ...predicted])].sort(sortLabels);
  const index = new Map(labels.map((l, i) => [l, i]));
  const L = labels.length;
  const cm = Array.from({ length: L }, () => new Array<number>(L).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    cm[index.get(actual[i]!)!]![index.get(predicted[i]!)!]!++;
    if (actual[i] === predicted[i]) correct++;
  }
  const perClass = labels.map((l, k) => {
    const tp = cm[k]![k]!;
    const support = cm[k]!.reduce((a, b) => a + b, 0);
    const predictedK = cm.reduce((a, row) => a + row[k]!, 0);
    const precision = safeDiv(tp, predictedK);
    const recall = safeDiv(tp, support);
    const f1 = safeDiv(2 * tp, support + predictedK);
    return { label: String(l), precision, recall, f1, support };
  });
  const macro = (key: "precision" | "recall" | "f1") => perClass.reduce((a, c) => a + c[key], 0) / L;
  const weighted = (key: "precision" | "recall" | "f1") => safeDiv(perClass.reduce((a, c) => a + c[key] * c.support, 0), n);
  const metrics: Record<string, number> = {
    accuracy: correct / n,
    precision_macro: macro("precision"),
    recall_macro: macro("recall"),
    f1_macro: macro("f1"),
    precision_weighted: weighted("precision"),
    recall_weighted: weighted("recall"),
    f1_weighted: weighted("f1"),
  };
  const charts: ClassificationCharts = { perClass };
  if (L <= MATRIX_CLASSES) charts.confusion = { labels: labels.map(String), counts: cm };

  if (proba) {
    const K = proba.classes.length;
    const col = new Map(proba.classes.map((c, k) => [c, k]));
    const known = actual.every((a) => col.has(a));
    if (known) metrics.log_loss = logLoss(actual.map((a) => col.get(a)!), proba.rows);
    const roc: Curve[] = [];
    const pr: Curve[] = [];
    if (K === 2) {
      // Binary: the positive class is the greater label (scikit-learn's classes_[1]).
      const pos = proba.classes[1]!;
      const positive = actual.map((a) => a === pos);
      const score = proba.rows.map((r) => r[1]!);
      // One curve (a sort of every row) for both scores.
      const curve = binaryCurve(positive, score);
      const r = rocAuc(curve);
      if (r) {
        metrics.roc_auc = r.auc;
        roc.push({ label: String(pos), ...thin(r.fpr, r.tpr) });
      }
      const a = averagePrecision(curve);
      if (a) {
        metrics.average_precision = a.ap;
        pr.push({ label: String(pos), ...thin(a.recall, a.precision) });
      }
      metrics.brier = positive.reduce((s, p, i) => s + (score[i]! - (p ? 1 : 0)) ** 2, 0) / n;
      charts.calibration = { label: String(pos), ...calibrationCurve(positive, score) };
    } else if (K > 2) {
      // One-vs-rest, macro-averaged over the model's classes; undefined when a class has no held-out row.
      const aucs: number[] = [];
      proba.classes.forEach((c, k) => {
        const positive = actual.map((a) => a === c);
        const curve = binaryCurve(positive, proba.rows.map((r) => r[k]!));
        const r = rocAuc(curve);
        if (r) {
          aucs.push(r.auc);
          if (roc.length < 10) roc.push({ label: String(c), ...thin(r.fpr, r.tpr) });
        }
        const a = averagePrecision(curve);
        if (a && pr.length < 10) pr.push({ label: String(c), ...thin(a.recall, a.precision) });
      });
      if (aucs.length === K) metrics.roc_auc_ovr = aucs.reduce((a, b) => a + b, 0) / K;
    }
    if (roc.length) charts.roc = roc;
    if (pr.length) charts.pr = pr;
  }
  metrics.test_rows = n;
  return { metrics, charts };
}

/** Regression scores: RMSE, MAE and R² (`r2_score`, with its finite value for a constant target). */
export function regressionMetrics(actual: number[], predicted: number[]) {
  const n = actual.length;
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let se = 0;
  let ae = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const d = actual[i]! - predicted[i]!;
    se += d * d;
    ae += Math.abs(d);
    tot += (actual[i]! - mean) ** 2;
  }
  const r2 = tot === 0 ? (se === 0 ? 1 : 0) : 1 - se / tot;
  const stride = Math.max(1, Math.ceil(n / 400));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i += stride) {
    x.push(predicted[i]!);
    y.push(actual[i]! - predicted[i]!);
  }
  return { metrics: { rmse: Math.sqrt(se / n), mae: ae / n, r2, test_rows: n } as Record<string, number>, charts: { residuals: { x, y } } as RegressionCharts };
}
