import { Worker } from "node:worker_threads";
import type { TrainedForest } from "~/workflows/model/ml-random-forest";
import type { ForestOptions } from "./forest";

/**
 * Trains on a worker thread so the activity keeps heartbeating and other activities keep
 * running. Aborting terminates the thread.
 */
export function trainForestInThread(
  X: number[][],
  y: number[],
  opts: ForestOptions,
  signal?: AbortSignal,
): Promise<TrainedForest> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("../thread-entry.mjs", import.meta.url), {
      workerData: { entry: new URL("./thread.ts", import.meta.url).href, X, y, opts },
    });
    const onAbort = () => {
      void worker.terminate();
      reject(signal?.reason ?? new Error("training cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (msg: { ok: true; forest: TrainedForest } | { ok: false; error: string }) => {
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      if (msg.ok) resolve(msg.forest);
      else reject(new Error(msg.error));
    });
    worker.once("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`training thread exited with code ${code}`));
    });
  });
}
