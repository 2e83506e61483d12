/**
 * A loaded model: replays the fitted clean and feature steps on raw rows (each node type's
 * own `replay`), then predicts. What evaluate scores and what an endpoint serves.
 */
import { UserError } from "~/lib/errors";
import type { Row } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { ForestPredictor } from "./flat-forest";
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
}

/** Sees each scored batch as the model read it: rows after the fitted steps, and the predictions. */
export type Observer = (prepared: Row[], predictions: Label[]) => void;

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
      const keys = classes.map(String);
      predictProba = (rows, observe) => {
        const prepared = transform(rows);
        const predictions: Label[] = new Array(prepared.length);
        const probabilities: Record<string, number>[] = new Array(prepared.length);
        for (let r = 0; r < prepared.length; r++) {
          predictor.accumulate(encode(prepared[r]!), acc);
          let best = 0;
          const p: Record<string, number> = {};
          for (let k = 0; k < acc.length; k++) {
            if (acc[k]! > acc[best]!) best = k;
            p[keys[k]!] = acc[k]!;
          }
          predictions[r] = classes[best]!;
          probabilities[r] = p;
        }
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
  return { file: meta as ModelMeta, transform, predictPrepared, predict, predictProba };
}
