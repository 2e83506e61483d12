/** worker_threads entry: trains one forest off the activity's event loop. */
import { parentPort, workerData } from "node:worker_threads";
import { trainForest, type ForestOptions } from "./forest";

const { X, y, opts } = workerData as { X: number[][]; y: number[]; opts: ForestOptions };
try {
  parentPort!.postMessage({ ok: true, forest: trainForest(X, y, opts) });
} catch (e) {
  parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
