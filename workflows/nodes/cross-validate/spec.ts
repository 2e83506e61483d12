import { z } from "zod";
import { defineNode, metricsPanels, type Panel } from "../define";
import { IMPORTANCE_PREFIX, spec as forest } from "../random-forest/spec";

/** At most this many forests are grown to score the grid: candidates × folds. */
const MAX_FITS = 100;

export const selectionMetrics = ["auto", "accuracy", "f1_macro", "roc_auc", "rmse", "r2"] as const;
const CLASSIFICATION_METRICS = new Set(["accuracy", "f1_macro", "roc_auc"]);

/** The metric a config selects by: auto is accuracy for classifiers, RMSE for regressors. */
export const selectionMetric = (c: { task: "classification" | "regression"; metric: (typeof selectionMetrics)[number] }) =>
  c.metric === "auto" ? (c.task === "classification" ? "accuracy" : "rmse") : c.metric;

/** Whether a lower value of the metric is better. */
export const lowerIsBetter = (metric: string) => metric === "rmse";

/** One candidate's settings and its scores, as the node reports them (its metrics output's `report`). */
export interface Candidate {
  nEstimators: number;
  maxDepth: number;
  minSamplesLeaf: number;
  maxFeatures: string;
  /** The metric on each held-out fold, in fold order. */
  folds: number[];
  mean: number;
  std: number;
}

export interface CvReport {
  metric: string;
  folds: number;
  stratified: boolean;
  candidates: Candidate[];
  /** Index of the chosen candidate in `candidates`. */
  chosen: number;
}

/** Every combination of the lists, in their order: trees, then depth, then leaf size, then features per split (the last varies fastest). */
export function candidateGrid(c: { nEstimators: number[]; maxDepth: number[]; minSamplesLeaf: number[]; maxFeatures: string[] }) {
  const out: Pick<Candidate, "nEstimators" | "maxDepth" | "minSamplesLeaf" | "maxFeatures">[] = [];
  for (const nEstimators of c.nEstimators)
    for (const maxDepth of c.maxDepth)
      for (const minSamplesLeaf of c.minSamplesLeaf) for (const maxFeatures of c.maxFeatures) out.push({ nEstimators, maxDepth, minSamplesLeaf, maxFeatures });
  return out;
}

const forestFields = forest.config.shape;

/** A list of whole-number candidates (the inspector sends what was typed, as text). */
function candidates(title: string, min: number, max: number) {
  const error = `${title}: each candidate must be a whole number from ${min}${max === Infinity ? " up" : ` to ${max}`}`;
  const n = z.coerce.number({ error }).int({ error }).min(min, { error });
  return z.array(max === Infinity ? n : n.max(max, { error })).min(1, { error: `${title}: list at least one candidate` });
}
const depth = (d: number) => (d === 0 ? "unlimited" : d);
const round = (v: number) => Number(v.toFixed(4));

export const spec = defineNode({
  type: "cross-validate",
  label: "Cross-validated forest",
  stage: "train",
  description:
    "Chooses a random forest's settings by k-fold cross-validation on the train set (folds stratified by class for classifiers): every combination of the listed settings is scored on each held-out fold, the best mean wins (ties go to the earlier candidate, so list simpler settings first), and that forest is refitted on every train row. Its model is the random forest's: evaluate, deploy and endpoints take it as it is.",
  config: z.object({
    task: forestFields.task,
    target: forestFields.target,
    features: forestFields.features,
    folds: z.number().int().min(2).max(20).default(5).meta({ title: "Folds (k)", description: "Stratified by class for classifiers; at most the rows of the smallest class" }),
    nEstimators: candidates("Trees", 1, 2000)
      .default([100])
      .meta({ title: "Trees", description: "Candidates, comma-separated" }),
    maxDepth: candidates("Max depth", 0, 1000)
      .default([4, 8, 0])
      .meta({ title: "Max depth", description: "Candidates, comma-separated; 0 = unlimited" }),
    minSamplesLeaf: candidates("Min rows per leaf", 1, Infinity)
      .default([5, 1])
      .meta({ title: "Min rows per leaf", description: "Candidates, comma-separated" }),
    maxFeatures: z
      .array(forestFields.maxFeatures.unwrap())
      .min(1, { error: "Features per split: list at least one candidate" })
      .default(["auto"])
      .meta({ title: "Features per split", description: "Candidates, comma-separated: auto, sqrt, log2, all, a fraction like 0.5, or a count like 5" }),
    metric: z
      .enum(selectionMetrics)
      .default("auto")
      .meta({ title: "Select by", description: "auto = accuracy for classifiers, RMSE for regressors; ROC AUC is one-vs-rest macro for more than two classes" }),
    seed: forestFields.seed,
  }),
  inputs: { train: { type: "dataset", label: "Train set" } },
  outputs: {
    model: { type: "model", label: "Model" },
    scores: { type: "metrics", label: "CV scores" },
  },
  infer: (ctx) => {
    const { config } = ctx;
    if (!ctx.inputs.train) return {};
    // Target and features are checked as the forest checks them (same fields, same words).
    const asForest = forest.config.parse({ task: config.task, target: config.target, features: config.features, seed: config.seed });
    const errors = (forest.infer!({ ...ctx, config: asForest, inputs: { train: ctx.inputs.train } }).errors ?? []).filter((e) => !e.path.startsWith("inputs.refit"));
    const metric = selectionMetric(config);
    if (config.task === "regression" && CLASSIFICATION_METRICS.has(metric)) errors.push({ path: "metric", message: `${metric} scores classifiers; choose RMSE or R² for a regression` });
    if (config.task === "classification" && !CLASSIFICATION_METRICS.has(metric)) errors.push({ path: "metric", message: `${metric} scores regressions; choose accuracy, F1 (macro) or ROC AUC for a classification` });
    const candidates = candidateGrid(config).length;
    if (candidates * config.folds > MAX_FITS) {
      errors.push({ path: "nEstimators", message: `${candidates} candidates × ${config.folds} folds = ${candidates * config.folds} forests to grow; at most ${MAX_FITS}: shorten the lists or use fewer folds` });
    }
    return { errors };
  },
  summary: (config) => `${config.folds}-fold · ${candidateGrid(config).length} candidates · by ${selectionMetric(config)}`,
  present: ({ metrics, outputs }) => {
    const scores = outputs?.scores;
    const report = scores?.kind === "metrics" ? (scores.report as CvReport | undefined) : undefined;
    const importances: { label: string; value: number }[] = [];
    const rest: Record<string, number> = {};
    for (const [k, v] of Object.entries(metrics ?? {})) {
      if (k.startsWith(IMPORTANCE_PREFIX)) importances.push({ label: k.slice(IMPORTANCE_PREFIX.length), value: v });
      else rest[k] = v;
    }
    const panels: Panel[] = metricsPanels(rest, Object.keys(rest).filter((k) => k.startsWith("cv_") && !k.endsWith("_std")));
    if (report) {
      const k = report.folds;
      panels.push({
        kind: "table",
        title: `Cross-validation: ${report.metric} over ${k}${report.stratified ? " stratified" : ""} folds (${lowerIsBetter(report.metric) ? "lower" : "higher"} is better)`,
        columns: ["", "trees", "max depth", "min rows per leaf", "features per split", "mean", "std", ...Array.from({ length: k }, (_, f) => `fold ${f + 1}`)],
        rows: report.candidates.map((c, i) => [
          i === report.chosen ? "chosen" : "",
          c.nEstimators,
          depth(c.maxDepth),
          c.minSamplesLeaf,
          c.maxFeatures,
          round(c.mean),
          round(c.std),
          ...c.folds.map(round),
        ]),
      });
    }
    if (importances.length) {
      importances.sort((a, b) => b.value - a.value);
      panels.push({ kind: "bars", title: "Feature importance (the chosen forest)", items: importances.slice(0, 12), format: "percent" });
    }
    return panels;
  },
});
