import os from "node:os";
import { Worker } from "node:worker_threads";
import { mergeOob, newOob, type OobAccumulator } from "./train";
import type { BinTree, TrainingSet, TreeParams } from "./tree";

export interface GrowOptions {
  threads?: number;
  oob?: boolean;
  onTree?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export const defaultThreads = () => Math.max(1, Number(process.env.TRAIN_THREADS) || os.availableParallelism());

/**
 * Grows the given tree indices on worker threads (never on the calling thread, so its event
 * loop stays free). Returns trees in the order of `indices`.
 */
export async function growTrees(set: TrainingSet, params: TreeParams, seed: number, indices: number[], opts: GrowOptions = {}) {
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(), indices.length));
  const K = params.task === "classification" ? params.nClasses : 1;
  const trees = new Map<number, BinTree>();
  const oob: OobAccumulator | null = opts.oob ? newOob(set.n, K) : null;
  const workers: Worker[] = [];
  const entry = new URL("../thread-entry.mjs", import.meta.url);
  const module = new URL("./thread.ts", import.meta.url).href;
  try {
    await Promise.all(
      Array.from({ length: threads }, (_, t) => {
        const mine = indices.filter((_, k) => k % threads === t);
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(entry, { workerData: { entry: module, set, params, seed, indices: mine, oob: !!oob } });
          workers.push(worker);
          const onAbort = () => reject(opts.signal?.reason ?? new Error("training cancelled"));
          opts.signal?.addEventListener("abort", onAbort, { once: true });
          worker.on("message", (msg: { type: "tree"; index: number; tree: BinTree } | { type: "done"; oob: OobAccumulator | null } | { type: "error"; message: string }) => {
            if (msg.type === "tree") {
              trees.set(msg.index, msg.tree);
              opts.onTree?.(trees.size, indices.length);
            } else if (msg.type === "done") {
              if (oob && msg.oob) mergeOob(oob, msg.oob);
              opts.signal?.removeEventListener("abort", onAbort);
              resolve();
            } else reject(new Error(msg.message));
          });
          worker.once("error", reject);
          worker.once("exit", (code) => {
            if (code !== 0) reject(new Error(`training thread exited with code ${code}`));
          });
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { trees: indices.map((i) => trees.get(i)!), oob };
}
