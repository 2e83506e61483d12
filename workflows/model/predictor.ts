/**
 * A loaded model: replays the fitted clean and feature steps on raw rows (each node type's
 * own `replay`), then predicts. What evaluate scores and what an endpoint serves.
 */
import { UserError } from "~/lib/errors";
import type { Row } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { ForestPredictor, sharedBuffer, walkRows, type WalkLayout } from "./flat-forest";
import { loadForest } from "./ml-random-forest";
import type { Label, ModelFile, ModelMeta } from "./model-file";

export interface LoadedModel {
  file: ModelMeta;
  /** Applies the fitted clean and feature steps to raw rows (new objects; inputs untouched). */
  transform(rows: Row[]): Row[];
  /** Predicts from rows that already hold every feature column. */
  predictPrepared(rows: Row[]): Label[];
  /** Raw rows in, predictions out: what an endpoint does. `observe` sees the prepared rows and predictions (monitoring). */
  predict(rows: Row[], observe?: Observer): Label[];
  /** Raw rows in, predictions and class probabilities (keyed by label) out, in one pass (histogram classifiers). */
  predictProba?: (rows: Row[], observe?: Observer) => { predictions: Label[]; probabilities: Record<string, number>[] };
  /**
   * Columns that already hold every feature (no fitted step is replayed) in, predictions and, for
   * classifiers, each row's probabilities in the order of `file.classes` out — no row objects
   * (histogram engine: evaluate and the training reference score this way).
   */
  predictColumns?: (columns: Record<string, ArrayLike<unknown>>, count: number, threads?: Walker) => Promise<{ predictions: Label[]; probabilities?: number[][] }>;
  /**
   * Features whose value in the rows scored since the last call was a category training never
   * saw (scored as a missing value), and clears the record (histogram engine). Scoring is
   * synchronous, so a caller reads exactly its own rows' by calling it before and after.
   */
  takeUnseen?: () => string[];
}

/**
 * Scores a block of encoded rows into `out` as `walkRows` does, elsewhere (worker threads: the
 * block and `out` are on shared memory). `predictColumns` hands work to it when rows × trees is
 * at least THREADED_WORK (about half a second of one thread; threads not started cost a few hundred ms).
 */
type Walker = (layout: WalkLayout, x: Float64Array, n: number, out: Float64Array) => unknown;
const THREADED_WORK = 2_000_000;

/** Rows a block handed to a Walker holds: up to 65,536, and at most 16 MiB of encoded values. */
const walkerRows = (features: number) => Math.max(1, Math.min(65_536, Math.floor(2_097_152 / Math.max(1, features))));

/** Sees each scored batch as the model read it: rows after the fitted steps, and the predictions. */
export type Observer = (prepared: Row[], predictions: Label[]) => void;

/** Rows scored together by the forest: up to 2,048, and at most 128 Ki encoded values (1 MiB) a block. */
const blockRows = (features: number) => Math.max(1, Math.min(2048, Math.floor(131_072 / Math.max(1, features))));

/** A row that cannot be scored because a feature is missing (the caller's data, not a bug). */
class MissingFeatureError extends UserError {}

function replayer(file: ModelMeta) {
  const steps = file.lineage.steps.map((step) => {
    const replay = getSpec(step.type)?.replay;
    if (!replay) throw new Error(`the model replays a '${step.type}' step, which this version of Millrace cannot replay`);
    return replay(step.params);
  });
  return (rows: Row[]) =>
    rows.map((raw) => {
      const row: Row = { ...raw };
      for (const apply of steps) apply(row);
      return row;
    });
}

export function loadModel(file: ModelFile): LoadedModel {
  const transform = replayer(file);
  let predictPrepared: (rows: Row[]) => Label[];
  let predictProba: LoadedModel["predictProba"];
  let predictColumns: LoadedModel["predictColumns"];
  let takeUnseen: LoadedModel["takeUnseen"];
  if (file.engine === "histogram") {
    // Missing values are native to this engine: they follow the direction learnt at each split.
    const predictor = new ForestPredictor(file.flat);
    takeUnseen = () => {
      if (!predictor.anyUnseen) return [];
      const names = file.features.filter((_, f) => predictor.unseen[f]);
      predictor.unseen.fill(0);
      predictor.anyUnseen = false;
      return names;
    };
    const F = file.features.length;
    const K = file.flat.nClasses;
    const values = new Array<unknown>(F);
    // Rows are encoded and scored a block at a time (the forest walks every row of a block tree
    // by tree); the buffers are kept for the next call, so a single row allocates nothing.
    let x = new Float64Array(F);
    let acc = new Float64Array(K);
    const BLOCK = blockRows(F);
    const scoreRows = (rows: Row[], each: (r: number, acc: Float64Array, at: number) => void) => {
      for (let start = 0; start < rows.length; start += BLOCK) {
        const n = Math.min(BLOCK, rows.length - start);
        if (x.length < n * F) x = new Float64Array(n * F);
        if (acc.length < n * K) acc = new Float64Array(n * K);
        for (let r = 0; r < n; r++) {
          const row = rows[start + r]!;
          for (let f = 0; f < F; f++) values[f] = row[file.features[f]!];
          predictor.encode(values, x, r * F);
        }
        predictor.accumulateRows(x, n, acc);
        for (let r = 0; r < n; r++) each(start + r, acc, r * K);
      }
    };
    predictColumns = async (columns, count, threads) => {
      const cols = file.features.map((f) => {
        const c = columns[f];
        if (!c) throw new MissingFeatureError(`feature '${f}' is not among the columns to score`);
        return c;
      });
      const predictions: Label[] = new Array(count);
      const classes = file.classes;
      const probabilities: number[][] | undefined = classes ? new Array(count) : undefined;
      const take = (r: number, a: Float64Array, at: number) => {
        if (!classes) {
          predictions[r] = a[at]!;
          return;
        }
        predictions[r] = classes[argmax(a, at)]!;
        probabilities![r] = Array.from(a.subarray(at, at + K));
      };
      // Blocks on shared memory, each scored here or, for enough work, by `threads` while this one waits.
      const walk = threads && count * file.flat.treeRoots.length >= THREADED_WORK ? threads : (l: WalkLayout, bx: Float64Array, n: number, bo: Float64Array) => walkRows(l, bx, n, bo);
      const rows = Math.min(walkerRows(F), Math.max(1, count));
      const bx = new Float64Array(sharedBuffer(rows * F * 8));
      const bo = new Float64Array(sharedBuffer(rows * K * 8));
      for (let start = 0; start < count; start += rows) {
        const n = Math.min(rows, count - start);
        for (let r = 0; r < n; r++) {
          for (let f = 0; f < F; f++) values[f] = cols[f]![start + r];
          predictor.encode(values, bx, r * F);
        }
        await walk(predictor.layout, bx, n, bo);
        for (let r = 0; r < n; r++) take(start + r, bo, r * K);
      }
      return { predictions, probabilities };
    };
    const argmax = (a: Float64Array, at: number) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (a[at + k]! > a[at + best]!) best = k;
      return best;
    };
    predictPrepared = (rows) => {
      const out: Label[] = new Array(rows.length);
      if (file.task === "classification") {
        const classes = file.classes!;
        scoreRows(rows, (r, a, at) => (out[r] = classes[argmax(a, at)]!));
      } else scoreRows(rows, (r, a, at) => (out[r] = a[at]!));
      return out;
    };
    if (file.task === "classification") {
      const classes = file.classes!;
      const keys = classes.map(String);
      predictProba = (rows, observe) => {
        const prepared = transform(rows);
        const predictions: Label[] = new Array(prepared.length);
        const probabilities: Record<string, number>[] = new Array(prepared.length);
        scoreRows(prepared, (r, a, at) => {
          const p: Record<string, number> = {};
          for (let k = 0; k < K; k++) p[keys[k]!] = a[at + k]!;
          predictions[r] = classes[argmax(a, at)]!;
          probabilities[r] = p;
        });
        observe?.(prepared, predictions);
        return { predictions, probabilities };
      };
    }
  } else {
    const forest = loadForest(file.forest);
    predictPrepared = (rows) => {
      const X = rows.map((row, r) =>
        file.features.map((f) => {
          const v = row[f];
          if (v === null || v === undefined || Number.isNaN(Number(v))) {
            throw new MissingFeatureError(`row ${r}: feature '${f}' is missing after the pipeline's cleaning steps`);
          }
          return Number(v);
        }),
      );
      const raw = forest.predict(X);
      return file.task === "classification" ? raw.map((i) => file.classes![i]!) : raw;
    };
  }
  const { flat: _f, forest: _r, ...meta } = file as ModelFile & { flat?: unknown; forest?: unknown };
  const predict = (rows: Row[], observe?: Observer) => {
    const prepared = transform(rows);
    const predictions = predictPrepared(prepared);
    observe?.(prepared, predictions);
    return predictions;
  };
  return { file: meta as ModelMeta, transform, predictPrepared, predict, predictProba, predictColumns, takeUnseen };
}
