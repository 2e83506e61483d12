/**
 * The train node. The histogram engine (default) bins the data once, grows trees on worker
 * threads and, for large jobs, fans out: each slice of trees is its own activity on any
 * worker, and a merge step joins them in tree order — the forest is the same either way.
 */
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef, ModelRef } from "~/lib/pipeline/plan";
import { parquet, readColumns, withDuck } from "~/workflows/data/duck";
import { trainForestInThread } from "~/workflows/ml/ml-random-forest/train-in-thread";
import { leave } from "~/workflows/artifacts/handover";
import { encodeModel, modelAsRead, modelParts, type Label, type ModelFile, type ModelMeta } from "~/workflows/model/model-file";
import type { FlatForest } from "~/workflows/model/flat-forest";
import { inputColumns } from "~/workflows/model/signature";
import { buildProfile, predictionProfile, type ReferenceProfile } from "~/workflows/model/profile";
import { binColumns } from "~/workflows/model/binning";
import { loadModel } from "~/workflows/model/predictor";
import { scoreInThreads } from "~/workflows/ml/hist-forest/pool";
import {
  assemble,
  encodeTraining,
  growSlice,
  growTrees,
  mergeSlices,
  oobScore,
  parseMaxFeatures,
  referencePredictions,
  prepareTraining,
  resolveMaxFeatures,
  sliceRanges,
  treeParams,
  warmThreads,
  type FeatureInput,
  type ForestOptions,
} from "~/workflows/ml/hist-forest";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { MAX_CLASSES_OF_NUMBERS, targetColumn } from "../columns";
import { IMPORTANCE_PREFIX, selectFeatures, spec } from "./spec";

type Ctx = ContextOf<typeof spec>;
/** The training columns as read: number features as Float64Arrays (NaN where missing), the rest as values (null where missing). */
type Columns = Record<string, ArrayLike<unknown>>;
type Config = Ctx["config"];
interface SliceTask {
  trainingUri: string;
  first: number;
  count: number;
}
interface FanOutState {
  trainingUri: string;
  meta: ModelMeta;
}
interface SlicePart {
  uri: string;
}

/** Above this many rows × trees, training is split across workers when slices = 0 (auto) and there are other workers to share it. */
const AUTO_FANOUT_WORK = 20_000_000;

/**
 * Slices of trees for `slices` = 0 (automatic): four for large jobs when another worker can take
 * some; one when this worker is alone — its threads are the whole machine then, and slicing would
 * only add the slices' and the merge's own costs (≈ 10% on 327k rows × 100 trees). `workers` (a
 * question to Temporal) is asked only for a large job.
 */
export async function autoSlices(rows: number, trees: number, workers: () => Promise<number>) {
  return rows * trees >= AUTO_FANOUT_WORK && (await workers()) > 1 ? Math.min(4, trees) : 1;
}

export function forestOptions(config: Config): ForestOptions {
  return {
    task: config.task,
    nEstimators: config.nEstimators,
    maxDepth: config.maxDepth,
    minSamplesLeaf: config.minSamplesLeaf,
    maxFeatures: parseMaxFeatures(config.maxFeatures, config.task),
    classWeight: config.classWeight === "balanced" ? "balanced" : null,
    oobScore: config.oobScore,
    seed: config.seed,
  };
}

/** The train set as the forest reads it, checked (target, features, classes); the cross-validate node reads it alike. */
export async function loadTrainingData(ctx: Ctx, port: "train" | "refit" = "train") {
  const { config } = ctx;
  const src = input(ctx, port, "dataset");
  const target = targetColumn(config.target, src.columns);
  if (!target) throw new UserError("no target column: choose one (the dataset marks none as its target)");
  const features = selectFeatures(config, target, src.columns);
  if (features.length === 0) throw new UserError("no feature columns to train on");
  const targetCol = src.columns.find((c) => c.name === target);
  if (!targetCol) throw new UserError(`target column '${target}' is not in the training data`);
  if (config.task === "regression" && targetCol.type !== "number") throw new UserError(`regression needs a numeric target; '${target}' is ${targetCol.type}`);
  const featureCols = features.map((f): ColumnSchema => {
    const c = src.columns.find((col) => col.name === f);
    if (!c) throw new UserError(`feature column '${f}' is not in the training data`);
    if (f === target) throw new UserError(`'${f}' is the target`);
    if (c.type !== "number" && config.engine === "ml-random-forest") throw new UserError(`feature column '${f}' is ${c.type}; the ml-random-forest engine takes numbers only`);
    return c;
  });
  const file = await ctx.artifacts.localPath(src.uri);
  // Number features as Float64Arrays (missing: NaN): no JS value per row of them.
  const typed = new Set(featureCols.filter((c) => c.type === "number").map((c) => c.name));
  const data: Columns = await withDuck((conn) => readColumns(conn, parquet(file), [...featureCols, targetCol], typed));
  // Never typed: the target is not among the features.
  const y = data[target] as (Label | null)[];
  const missingY = y.filter((v) => v === null).length;
  if (missingY) throw new UserError(`target column '${target}' has ${missingY} missing values; drop those rows first (Fill missing: "rows with a missing target" → drop)`);
  const classes = config.task === "classification" ? new Set(y).size : 0;
  if (config.task === "classification" && classes < 2) throw new UserError(`target column '${target}' has a single class; a classifier needs two or more`);
  if (config.task === "classification" && targetCol.type === "number" && classes > MAX_CLASSES_OF_NUMBERS) {
    throw new UserError(`target column '${target}' has ${classes} distinct numbers: a classifier would learn one class per value. Set Task to regression (or the column's kind to categorical)`);
  }
  return { src, target, features, featureCols, data, y: y as Label[] };
}

/** The training set as drift will compare live traffic with it: its features on fixed bins, and its target. */
const trainingProfile = (config: Config, featureCols: ColumnSchema[], data: Columns, y: Label[]) =>
  buildProfile(
    featureCols.map((c) => ({ name: c.name, kind: c.type === "number" ? ("numeric" as const) : ("categorical" as const), values: data[c.name]! })),
    { task: config.task, values: y },
  );

function baseMeta(config: Config, src: DatasetRef, target: string, features: string[], classes: Label[] | null, profile: ReferenceProfile): ModelMeta {
  return {
    format: "millrace-model/1",
    engine: config.engine,
    task: config.task,
    target,
    features,
    classes,
    lineage: src.lineage,
    trainedRows: src.rows,
    profile,
  };
}

type Training = { featureCols: ColumnSchema[]; data: Columns; rows: number };

/** The training rows whose predictions are the reference live predictions are compared with: up to 20,000, evenly spaced. */
function referenceRows(rows: number) {
  const step = Math.max(1, Math.floor(rows / 20_000));
  return Array.from({ length: Math.ceil(rows / step) }, (_, k) => k * step);
}

/**
 * The model's own predictions on its reference rows, added to its profile. `predicted` when the
 * caller has them already (the trees just grown, walked on the rows' bins); else the model is
 * loaded and scores the rows.
 */
async function withPredictionReference(file: ModelFile, t: Training, predicted?: Label[]): Promise<ModelFile> {
  if (!file.profile) return file;
  const rows = referenceRows(t.rows);
  let predictions = predicted;
  if (!predictions) {
    const sample = Object.fromEntries(t.featureCols.map((c) => [c.name, rows.map((r) => t.data[c.name]![r])]));
    // The rows are already prepared (the node's input): no fitted step is replayed.
    const model = loadModel({ ...file, lineage: { ...file.lineage, steps: [] } } as ModelFile);
    predictions = model.predictColumns
      ? (await model.predictColumns(sample, rows.length, scoreInThreads)).predictions
      : model.predictPrepared(rows.map((_, k) => Object.fromEntries(t.featureCols.map((c) => [c.name, sample[c.name]![k]]))));
  }
  return { ...file, profile: { ...file.profile, prediction: predictionProfile(file.task, predictions) } };
}

async function saveHistogramModel(
  ctx: Ctx,
  meta: ModelMeta,
  { flat, reference }: Grown,
  started: number,
  training: Training,
  name = "model.bin",
): Promise<{ model: ModelRef; metrics: Record<string, number> }> {
  const importances = Object.fromEntries(meta.features.map((f, i) => [f, flat.importances[i]!]));
  const file: ModelFile = await withPredictionReference({ ...meta, engine: "histogram", importances, oobScore: flat.oobScore, flat }, training, reference);
  const parts = modelParts(file);
  const uri = await ctx.artifacts.putParts(artifactKey(ctx, name), parts);
  // As evaluate would read it back (the header parsed again, the arrays these very bytes), for evaluate to take next.
  await leave(ctx.artifacts, uri, modelAsRead(file, parts));
  const model: ModelRef = { kind: "model", uri, task: meta.task, target: meta.target, features: meta.features, signature: inputColumns(meta) };
  const metrics: Record<string, number> = { trees: flat.treeRoots.length, train_seconds: (performance.now() - started) / 1000 };
  for (const [f, v] of Object.entries(importances)) metrics[`${IMPORTANCE_PREFIX}${f}`] = v;
  if (flat.oobScore !== null) metrics[meta.task === "classification" ? "oob_accuracy" : "oob_r2"] = flat.oobScore;
  return { model, metrics };
}

/**
 * The model to deploy: refitted on every row when the node's `refit` input is connected (after
 * the evaluated model is done, same settings and seed), else the evaluated model itself.
 */
async function finish(ctx: Ctx, evaluated: { model: ModelRef; metrics: Record<string, number> }): Promise<ExecResult> {
  if (!ctx.inputs.refit) return { outputs: { model: evaluated.model, final: evaluated.model }, metrics: evaluated.metrics };
  const started = performance.now();
  const train = input(ctx, "train", "dataset");
  const all = input(ctx, "refit", "dataset");
  if (JSON.stringify(all.lineage.steps) !== JSON.stringify(train.lineage.steps)) {
    throw new UserError("the rows to refit on went through other steps than the train set; connect the dataset the split divides");
  }
  const { src, target, features, featureCols, data, y } = await loadTrainingData(ctx, "refit");
  if (features.join("\u0000") !== evaluated.model.features.join("\u0000")) throw new UserError("the rows to refit on do not have the train set's feature columns");
  const opts = { ...forestOptions(ctx.config), oobScore: false };
  const inputs = featureInputs(featureCols, data);
  const prepared = prepareTraining(inputs, y, opts);
  const { meta, grown } = await whileGrowing(ctx, (signal) => growHere(ctx, prepared, inputs, opts, "refit", signal), () =>
    baseMeta(ctx.config, src, target, features, prepared.classes, trainingProfile(ctx.config, featureCols, data, y)),
  );
  const final = await saveHistogramModel(ctx, meta, grown, started, { featureCols, data, rows: src.rows }, "final.bin");
  return {
    outputs: { model: evaluated.model, final: final.model },
    metrics: { ...evaluated.metrics, refit_rows: src.rows, refit_seconds: final.metrics.train_seconds! },
  };
}

export const featureInputs = (featureCols: ColumnSchema[], data: Columns): FeatureInput[] =>
  featureCols.map((c) => ({ name: c.name, kind: c.type === "number" ? "numeric" : "categorical", values: data[c.name]! }));

async function execute(ctx: Ctx) {
  const started = performance.now();
  const { config } = ctx;
  // The training threads load while this one reads and bins the data.
  if (config.engine === "histogram") warmThreads();
  const { src, target, features, featureCols, data, y } = await loadTrainingData(ctx);
  ctx.log(`training a ${config.task} forest of ${config.nEstimators} trees on '${target}'`, { rows: src.rows, features: features.length, engine: config.engine });

  if (config.engine === "ml-random-forest") {
    if (ctx.inputs.refit) throw new UserError("refitting on all rows needs the histogram engine");
    for (const f of features) {
      let missing = 0;
      for (let r = 0; r < src.rows; r++) if (Number.isNaN(data[f]![r] as number)) missing++;
      if (missing) throw new UserError(`feature column '${f}' has ${missing} missing values; add a Fill missing node before training`);
    }
    const X = Array.from({ length: src.rows }, (_, r) => features.map((f) => data[f]![r] as number));
    let classes: Label[] | null = null;
    let yNum = y as number[];
    if (config.task === "classification") {
      classes = [...new Set(y)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const index = new Map(classes.map((c, i) => [c, i]));
      yNum = y.map((v) => index.get(v)!);
    }
    // ml-random-forest draws its features once per tree, so small fractions starve trees:
    // "auto" means every feature here; an explicit setting is honoured as a fraction.
    const maxFeatures =
      config.maxFeatures === "auto" ? 1 : resolveMaxFeatures(parseMaxFeatures(config.maxFeatures, config.task), features.length) / features.length;
    const maxDepth = config.maxDepth || Number.POSITIVE_INFINITY;
    const forest = await trainForestInThread(X, yNum, { task: config.task, nEstimators: config.nEstimators, maxDepth, maxFeatures, seed: config.seed }, ctx.signal);
    const file: ModelFile = await withPredictionReference(
      { ...baseMeta(config, src, target, features, classes, trainingProfile(config, featureCols, data, y)), engine: "ml-random-forest", forest },
      { featureCols, data, rows: src.rows },
    );
    const uri = await ctx.artifacts.putBytes(artifactKey(ctx, "model.json"), encodeModel(file));
    const model: ModelRef = { kind: "model", uri, task: config.task, target, features, signature: inputColumns(file) };
    return { outputs: { model, final: model }, metrics: { trees: config.nEstimators } };
  }

  const inputs = featureInputs(featureCols, data);
  const opts = forestOptions(config);
  const prepared = prepareTraining(inputs, y, opts);
  const metaOf = () => baseMeta(config, src, target, features, prepared.classes, trainingProfile(config, featureCols, data, y));

  const slices = config.slices > 0 ? Math.min(config.slices, config.nEstimators) : await autoSlices(src.rows, config.nEstimators, ctx.workers);
  if (slices > 1) {
    const trainingUri = await ctx.artifacts.putBytes(artifactKey(ctx, "training.bin"), encodeTraining(prepared));
    const tasks: SliceTask[] = sliceRanges(config.nEstimators, slices).map((r) => ({ trainingUri, ...r }));
    const state: FanOutState = { trainingUri, meta: metaOf() };
    ctx.log(`split into ${slices} slices of trees, each its own activity`, { slices });
    return { fanOut: { tasks, state } };
  }

  const { meta, grown } = await whileGrowing(ctx, (signal) => growHere(ctx, prepared, inputs, opts, "trees", signal), metaOf);
  return finish(ctx, await saveHistogramModel(ctx, meta, grown, started, { featureCols, data, rows: src.rows }));
}

/**
 * The model's metadata (its drift profile: ≈ 0.3 s on 327k rows) built on this thread while the
 * training threads grow the trees, rather than before they start.
 */
async function whileGrowing(ctx: Ctx, grow: (signal: AbortSignal) => Promise<Grown>, metaOf: () => ModelMeta) {
  const stop = new AbortController();
  const growing = grow(AbortSignal.any([ctx.signal, stop.signal]));
  // Awaited below; should building the metadata throw, the trees' own failure is not left unhandled.
  growing.catch(() => {});
  try {
    return { meta: metaOf(), grown: await growing };
  } catch (e) {
    // Nobody waits for the trees any more: their threads stop.
    stop.abort(e);
    throw e;
  }
}

/** The reference rows binned as serving bins them (categories by their own bins; training rows' are out of fold). */
function referenceBins(prepared: ReturnType<typeof prepareTraining>, inputs: FeatureInput[]) {
  const rows = referenceRows(prepared.set.n);
  return binColumns(prepared.binnings, inputs.map((f) => rows.map((r) => f.values[r])), false).bins;
}

/** A grown forest, and its predictions on the reference rows when they were had on the way (see withPredictionReference). */
interface Grown {
  flat: FlatForest;
  reference?: Label[];
}

/** Every tree of the forest in this activity (on the worker's threads), progress under `key`. */
async function growHere(ctx: Ctx, prepared: ReturnType<typeof prepareTraining>, inputs: FeatureInput[], opts: ForestOptions, key: string, signal = ctx.signal): Promise<Grown> {
  const K = prepared.classes?.length ?? 1;
  const all = Array.from({ length: ctx.config.nEstimators }, (_, i) => i);
  const { trees, oob } = await growTrees(prepared.set, treeParams(opts, inputs.length, K), ctx.config.seed, all, {
    oob: opts.oobScore,
    reference: referenceBins(prepared, inputs),
    signal,
    onTree: (done, total) => ctx.progress(key, done, total),
  });
  const predicted = referencePredictions(trees, K);
  const classes = prepared.classes;
  return {
    flat: assemble(ctx.config.task, K, prepared.binnings, trees, oob ? oobScore(prepared.set, K, oob) : null),
    reference: classes ? Array.from(predicted, (c) => classes[c]!) : Array.from(predicted),
  };
}

async function slice(ctx: Ctx, task: SliceTask, index: number): Promise<SlicePart> {
  const trees = await growSlice(await ctx.artifacts.getBytes(task.trainingUri), forestOptions(ctx.config), task.first, task.count, {
    signal: ctx.signal,
    onTree: (done, total) => ctx.progress(`slice-${index}`, done, total),
  });
  return { uri: await ctx.artifacts.putBytes(artifactKey(ctx, `slice-${index}.bin`), trees) };
}

async function merge(ctx: Ctx, state: FanOutState, parts: SlicePart[]): Promise<ExecResult> {
  const started = performance.now();
  const training = await ctx.artifacts.getBytes(state.trainingUri);
  const slices = await Promise.all(parts.map((p) => ctx.artifacts.getBytes(p.uri)));
  const { featureCols, data, src } = await loadTrainingData(ctx);
  return finish(ctx, await saveHistogramModel(ctx, state.meta, { flat: mergeSlices(training, forestOptions(ctx.config), slices) }, started, { featureCols, data, rows: src.rows }));
}

export const executor = defineExecutor<typeof spec.config, SliceTask, FanOutState, SlicePart>(spec, { execute, slice, merge });
