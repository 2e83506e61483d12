/**
 * The model file: the forest plus everything needed to score raw rows — the fitted
 * clean/feature steps (lineage), feature order and kinds, and class labels. Written by the
 * train node, read by evaluate and by the serving runtime.
 *
 * Histogram forests are stored as a binary forest file with this metadata in its header;
 * ml-random-forest models as JSON.
 */
import { evaluate, parseExpression, type Expr } from "../nodes/derive-column/expression";
import type { Lineage, TransformStep } from "../plan";
import { loadForest, type TrainedForest } from "./forest";
// Prediction pieces only: the training side (worker threads) must stay out of the web bundle.
import { decodeForest, encodeForest, isForestFile } from "./hist-forest/format";
import { ForestPredictor, type FlatForest } from "./hist-forest/model";

export type Label = string | number | boolean;
export type Engine = "histogram" | "ml-random-forest";

export interface ModelMeta {
  format: "millrace-model/1";
  engine: Engine;
  task: "classification" | "regression";
  target: string;
  features: string[];
  /** Class labels in index order (classification only). */
  classes: Label[] | null;
  lineage: Lineage;
  trainedRows: number;
  /** Impurity-based importance per feature (histogram engine). */
  importances?: Record<string, number>;
  oobScore?: number | null;
}

export type ModelFile = ModelMeta & ({ engine: "ml-random-forest"; forest: TrainedForest } | { engine: "histogram"; flat: FlatForest });

export type Row = Record<string, unknown>;

export interface LoadedModel {
  file: ModelMeta;
  /** Applies the fitted clean and feature steps to raw rows (new objects; inputs untouched). */
  transform(rows: Row[]): Row[];
  /** Predicts from rows that already hold every feature column. */
  predictPrepared(rows: Row[]): Label[];
  /** Raw rows in, predictions out: what an endpoint does. */
  predict(rows: Row[]): Label[];
  /** Raw rows in, predictions and class probabilities (keyed by label) out, in one pass (histogram classifiers). */
  predictProba?: (rows: Row[]) => { predictions: Label[]; probabilities: Record<string, number>[] };
}

type CompiledStep = { kind: "fill"; values: Record<string, Label> } | { kind: "derive"; name: string; expr: Expr };

const compileStep = (s: TransformStep): CompiledStep =>
  s.kind === "fill" ? s : { kind: "derive", name: s.name, expr: parseExpression(s.expression) };

/** A row that cannot be scored because a feature is missing (the caller's data, not a bug). */
export class MissingFeatureError extends Error {
  override name = "MissingFeatureError";
}

export function encodeModel(file: ModelFile): Buffer {
  if (file.engine === "histogram") {
    const { flat, ...meta } = file;
    return encodeForest(flat, meta as unknown as Record<string, unknown>);
  }
  return Buffer.from(JSON.stringify(file));
}

export function parseModelFile(bytes: Uint8Array): ModelFile {
  if (isForestFile(bytes)) {
    const { forest, extra } = decodeForest(bytes);
    return { ...(extra as unknown as ModelMeta), engine: "histogram", flat: forest };
  }
  const file = JSON.parse(Buffer.from(bytes).toString()) as ModelFile;
  if (file.format !== "millrace-model/1") throw new Error(`unsupported model format ${String(file.format)}`);
  return { ...file, engine: file.engine ?? "ml-random-forest" } as ModelFile;
}

export function loadModel(file: ModelFile): LoadedModel {
  const steps = file.lineage.steps.map(compileStep);
  const transform = (rows: Row[]) =>
    rows.map((raw) => {
      const row: Row = { ...raw };
      for (const s of steps) {
        if (s.kind === "fill") {
          for (const [col, v] of Object.entries(s.values)) if (row[col] === null || row[col] === undefined) row[col] = v;
        } else {
          row[s.name] = evaluate(s.expr, row);
        }
      }
      return row;
    });

  let predictPrepared: (rows: Row[]) => Label[];
  let predictProba: LoadedModel["predictProba"];
  if (file.engine === "histogram") {
    // Missing values are native to this engine: they follow the direction learnt at each split.
    const predictor = new ForestPredictor(file.flat);
    const x = new Float64Array(file.features.length);
    const acc = new Float64Array(file.flat.nClasses);
    const values = new Array<unknown>(file.features.length);
    const encode = (row: Row) => {
      for (let f = 0; f < values.length; f++) values[f] = row[file.features[f]!];
      return predictor.encode(values, x);
    };
    predictPrepared = (rows) =>
      rows.map((row) => {
        const p = predictor.predictEncoded(encode(row), acc);
        return file.task === "classification" ? file.classes![p]! : p;
      });
    if (file.task === "classification") {
      const classes = file.classes!;
      predictProba = (rows) => {
        const predictions: Label[] = [];
        const probabilities = transform(rows).map((row) => {
          predictor.accumulate(encode(row), acc);
          let best = 0;
          for (let k = 1; k < acc.length; k++) if (acc[k]! > acc[best]!) best = k;
          predictions.push(classes[best]!);
          return Object.fromEntries(classes.map((c, k) => [String(c), acc[k]!]));
        });
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
  return { file: meta as ModelMeta, transform, predictPrepared, predict: (rows) => predictPrepared(transform(rows)), predictProba };
}
