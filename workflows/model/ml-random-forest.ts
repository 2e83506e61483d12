/**
 * Prediction with a model trained by the `ml-random-forest` engine (the train node's
 * `engine: ml-random-forest`, kept as a cross-check of the histogram forest).
 */
import { RandomForestClassifier, RandomForestRegression } from "ml-random-forest";

export interface TrainedForest {
  engine: "ml-random-forest";
  task: "classification" | "regression";
  /** The library's own JSON state. */
  state: unknown;
}

export interface RowPredictor {
  predict(rows: number[][]): number[];
}

export function loadForest(f: TrainedForest): RowPredictor {
  const model =
    f.task === "classification"
      ? RandomForestClassifier.load(f.state as Parameters<typeof RandomForestClassifier.load>[0])
      : RandomForestRegression.load(f.state as Parameters<typeof RandomForestRegression.load>[0]);
  return { predict: (rows) => model.predict(rows) };
}
