/**
 * Training with the ml-random-forest engine behind a small interface (the train node's
 * `engine: ml-random-forest`, and a cross-check for the histogram engine in tests).
 */
import { RandomForestClassifier, RandomForestRegression } from "ml-random-forest";
import type { TrainedForest } from "~/workflows/model/ml-random-forest";

export interface ForestOptions {
  task: "classification" | "regression";
  nEstimators: number;
  maxDepth: number;
  maxFeatures: number;
  seed: number;
}

export function trainForest(X: number[][], y: number[], opts: ForestOptions): TrainedForest {
  const common = {
    seed: opts.seed | 0,
    maxFeatures: opts.maxFeatures,
    replacement: true,
    nEstimators: opts.nEstimators,
    useSampleBagging: true,
    // Its out-of-bag pass is O(n²) and throws on small forests; we evaluate on a held-out split.
    noOOB: true,
    treeOptions: { maxDepth: opts.maxDepth },
  };
  const model = opts.task === "classification" ? new RandomForestClassifier(common) : new RandomForestRegression(common);
  model.train(X, y);
  // Round-trip through JSON: the raw toJSON() holds class instances that do not survive postMessage.
  return { engine: "ml-random-forest", task: opts.task, state: JSON.parse(JSON.stringify(model.toJSON())) };
}
