import os from "node:os";
import { Worker } from "node:worker_threads";
import { env } from "~/lib/env";
import type { GrowJob } from "./thread";
import { mergeOob, newOob, type OobAccumulator } from "./train";
import type { BinTree, TrainingSet, TreeParams } from "./tree";

export interface GrowOptions {
  threads?: number;
  oob?: boolean;
  onTree?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const defaultThreads = () => env().TRAIN_THREADS ?? Math.max(1, os.availableParallelism());

type Reply = { type: "tree"; id: number; index: number; tree: BinTree } | { type: "done"; id: number; oob: OobAccumulator | null } | { type: "error"; id: number; message: string };

/**
 * Training threads are kept between jobs (starting one costs a few hundred ms: it loads the
 * TypeScript loader), and closed after a minute idle. They never keep the process alive.
 */
const IDLE_MS = 60_000;
const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
let nextJob = 1;

function spawnThread(): Worker {
  const worker = new Worker(new URL("../thread-entry.mjs", import.meta.url), {
    workerData: { entry: new URL("./thread.ts", import.meta.url).href },
  });
  worker.unref();
  return worker;
}

function acquire(): Worker {
  const slot = idle.pop();
  if (!slot) return spawnThread();
  clearTimeout(slot.timer);
  return slot.worker;
}

function release(worker: Worker) {
  const timer = setTimeout(() => {
    const i = idle.findIndex((s) => s.worker === worker);
    if (i >= 0) idle.splice(i, 1);
    void worker.terminate();
  }, IDLE_MS);
  timer.unref();
  idle.push({ worker, timer });
}

/**
 * Grows the given tree indices on worker threads (never on the calling thread, so its event
 * loop stays free). Returns trees in the order of `indices`.
 */
export async function growTrees(set: TrainingSet, params: TreeParams, seed: number, indices: number[], opts: GrowOptions = {}) {
  const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(), indices.length));
  const K = params.task === "classification" ? params.nClasses : 1;
  const trees = new Map<number, BinTree>();
  const oob: OobAccumulator | null = opts.oob ? newOob(set.n, K) : null;
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const mine = indices.filter((_, k) => k % threads === t);
      const id = nextJob++;
      const worker = acquire();
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (err?: unknown) => {
          if (settled) return;
          settled = true;
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
          opts.signal?.removeEventListener("abort", onAbort);
          if (err) {
            // A thread that failed or was interrupted mid-job is not reused.
            void worker.terminate();
            reject(err);
          } else {
            release(worker);
            resolve();
          }
        };
        const onMessage = (msg: Reply) => {
          if (msg.id !== id) return;
          if (msg.type === "tree") {
            trees.set(msg.index, msg.tree);
            opts.onTree?.(trees.size, indices.length);
          } else if (msg.type === "done") {
            if (oob && msg.oob) mergeOob(oob, msg.oob);
            finish();
          } else finish(new Error(msg.message));
        };
        const onError = (e: Error) => finish(e);
        const onExit = (code: number) => finish(new Error(`training thread exited with code ${code}`));
        const onAbort = () => finish(opts.signal?.reason ?? new Error("training cancelled"));
        worker.on("message", onMessage);
        worker.once("error", onError);
        worker.once("exit", onExit);
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        const job: GrowJob = { id, set, params, seed, indices: mine, oob: !!oob };
        worker.postMessage(job);
      });
    }),
  );
  return { trees: indices.map((i) => trees.get(i)!), oob };
}
