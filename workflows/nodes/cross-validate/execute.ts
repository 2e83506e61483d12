/**
 * Model selection by k-fold cross-validation: every candidate of the grid is grown on k − 1 folds
 * of the train set and scored on the fold left out (with evaluate's metrics), the best mean wins,
 * and the random forest node's own executor refits it on every train row — so the model file,
 * its fitted steps and its reference profile are exactly a random forest's.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { UserError } from "~/lib/errors";
import { mulberry32 } from "~/lib/random";
import { trainForest, type FeatureInput } from "~/workflows/ml/hist-forest";
import { ForestPredictor } from "~/workflows/model/flat-forest";
import type { Label } from "~/workflows/model/model-file";
import { classificationMetrics, regressionMetrics } from "../evaluate/metrics";
import { defineExecutor, isFanOut, type ContextOf, type ExecResult } from "../executor";
import { executor as forestExecutor, featureInputs, forestOptions, loadTrainingData } from "../random-forest/execute";
import { spec as forest } from "../random-forest/spec";
import { candidateGrid, lowerIsBetter, selectionMetric, spec, type Candidate, type CvReport } from "./spec";

type Ctx = ContextOf<typeof spec>;
type Settings = Pick<Candidate, "nEstimators" | "maxDepth" | "minSamplesLeaf" | "maxFeatures">;

/** The random forest node's config for one candidate (the histogram engine, trained in this activity). */
const forestConfig = (config: Ctx["config"], c: Settings) =>
  forest.config.parse({ task: config.task, target: config.target, features: config.features, seed: config.seed, ...c, engine: "histogram", slices: 1 });

/** A config field's title, as the inspector shows it (`features.2` → Feature columns). */
function fieldTitle(path: string) {
  const field = spec.config.shape[path.split(".")[0] as keyof typeof spec.config.shape];
  return (field?.meta()?.title as string | undefined) ?? path;
}

/** A context the random forest node's functions accept: its config, this node's train set. */
const asForest = (ctx: Ctx, c: Settings): ContextOf<typeof forest> => ({ ...ctx, config: forestConfig(ctx.config, c), inputs: { train: ctx.inputs.train! } });

function shuffled(items: number[], rand: () => number) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * The fold of each row. Stratified (labels given): each class's rows, classes in sorted order,
 * shuffled with the seed and dealt round-robin, the deal continuing from class to class — every
 * fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of class c and the folds differ in size by one at most.
 * Otherwise every row is shuffled and dealt alike.
 */
export function assignFolds(n: number, k: number, seed: number, labels?: ArrayLike<unknown>): Uint8Array {
  const fold = new Uint8Array(n);
  const rand = mulberry32(seed);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels ? String(labels[i]) : "";
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
  }
  let dealt = 0;
  for (const key of [...groups.keys()].sort()) for (const i of shuffled(groups.get(key)!, rand)) fold[i] = dealt++ % k;
  return fold;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Population standard deviation, as scikit-learn's `std_test_score`. */
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

/** The candidate to keep: the best mean, the earlier one on a tie. */
export function chooseCandidate(means: number[], metric: string): number {
  let best = 0;
  for (let i = 1; i < means.length; i++) if (lowerIsBetter(metric) ? means[i]! < means[best]! : means[i]! > means[best]!) best = i;
  return best;
}

/** The metric's key in evaluate's scores: ROC AUC of more than two classes is its one-vs-rest macro average. */
const metricKey = (metric: string, classes: number) => (metric === "roc_auc" && classes > 2 ? "roc_auc_ovr" : metric);

/** Grows one candidate on the rows outside fold `f` and scores it on fold `f`. */
async function scoreFold(ctx: Ctx, c: Settings, inputs: FeatureInput[], y: Label[], fold: Uint8Array, f: number, metric: string) {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < y.length; i++) (fold[i] === f ? test : train).push(i);
  const pick = (values: ArrayLike<unknown>, rows: number[]) => rows.map((i) => values[i]);
  const { forest: flat, classes } = await trainForest(
    inputs.map((x) => ({ ...x, values: pick(x.values, train) })),
    pick(y, train) as Label[],
    forestOptions(forestConfig(ctx.config, c)),
    { signal: ctx.signal },
  );
  const predictor = new ForestPredictor(flat);
  const x = new Float64Array(inputs.length);
  const acc = new Float64Array(flat.nClasses);
  const values = new Array<unknown>(inputs.length);
  const actual = pick(y, test) as Label[];
  const predicted: Label[] = [];
  const proba: number[][] = [];
  for (const i of test) {
    for (let j = 0; j < inputs.length; j++) values[j] = inputs[j]!.values[i];
    const p = predictor.predictEncoded(predictor.encode(values, x), acc);
    if (classes) {
      predicted.push(classes[p]!);
      proba.push(Array.from(acc));
    } else predicted.push(p);
  }
  const scores = classes ? classificationMetrics(actual, predicted, { classes, rows: proba }).metrics : regressionMetrics(actual as number[], predicted as number[]).metrics;
  const key = metricKey(metric, classes?.length ?? 0);
  const score = scores[key];
  if (score === undefined) throw new UserError(`Select by: ${metric} is undefined on fold ${f + 1} (a class has no row there); choose another metric`);
  return score;
}

async function execute(ctx: Ctx): Promise<ExecResult> {
  const { config } = ctx;
  const metric = selectionMetric(config);
  // The spec's checks (target, features, metric, at most MAX_FITS forests), again at run time:
  // a run may start from a document the canvas never saw.
  const problems = spec.infer!({ config, inputs: { train: ctx.inputs.train?.kind === "dataset" ? ctx.inputs.train.columns : undefined }, datasetColumns: () => undefined }).errors ?? [];
  const first = problems[0];
  if (first) throw new UserError(`${fieldTitle(first.path)}: ${first.message}`);
  const grid = candidateGrid(config);
  const fits = grid.length * config.folds;

  const { src, target, featureCols, data, y } = await loadTrainingData(asForest(ctx, grid[0]!));
  const stratified = config.task === "classification";
  if (stratified) {
    const counts = new Map<string, number>();
    for (const v of y) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const [smallest, rows] = [...counts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    if (rows < config.folds) {
      throw new UserError(`Folds (k): ${config.folds} folds need ${config.folds} rows of every class, and class '${smallest}' of '${target}' has ${rows}; lower Folds (k) to ${Math.max(2, rows)} or less`);
    }
  } else if (src.rows < config.folds) throw new UserError(`Folds (k): ${config.folds} folds need ${config.folds} rows; the train set has ${src.rows}`);

  const fold = assignFolds(src.rows, config.folds, config.seed, stratified ? y : undefined);
  const inputs = featureInputs(featureCols, data);
  ctx.log(`scoring ${grid.length} candidates by ${metric} over ${config.folds}${stratified ? " stratified" : ""} folds`, { rows: src.rows, features: featureCols.length, forests: fits });
  const candidates: Candidate[] = [];
  let done = 0;
  for (const c of grid) {
    const folds: number[] = [];
    for (let f = 0; f < config.folds; f++) {
      folds.push(await scoreFold(ctx, c, inputs, y, fold, f, metric));
      ctx.progress("folds", ++done, fits);
      ctx.heartbeat();
      await yieldToLoop();
    }
    candidates.push({ ...c, folds, mean: mean(folds), std: std(folds) });
  }
  const chosen = chooseCandidate(candidates.map((c) => c.mean), metric);
  const best = candidates[chosen]!;
  ctx.log(`chose candidate ${chosen + 1} of ${grid.length}`, { trees: best.nEstimators, maxDepth: best.maxDepth, minSamplesLeaf: best.minSamplesLeaf, maxFeatures: best.maxFeatures, [`cv_${metric}`]: best.mean });

  // The chosen settings, refitted on every train row by the random forest node itself.
  const refit = await forestExecutor.execute(asForest(ctx, best) as unknown as Parameters<typeof forestExecutor.execute>[0]);
  if (isFanOut(refit)) throw new Error("the refit fanned out though it was asked to train in one activity");
  const values = { [`cv_${metric}`]: best.mean, [`cv_${metric}_std`]: best.std };
  const report: CvReport = { metric, folds: config.folds, stratified, candidates, chosen };
  return {
    outputs: { model: refit.outputs.model!, scores: { kind: "metrics", values, report } },
    metrics: { ...values, candidates: grid.length, folds: config.folds, chosen: chosen + 1, ...refit.metrics },
  };
}

export const executor = defineExecutor(spec, { execute });
