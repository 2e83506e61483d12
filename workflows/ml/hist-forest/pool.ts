import os from "node:os";
import { Worker } from "node:worker_threads";
import { env } from "~/lib/env";
import type { WalkLayout } from "~/workflows/model/flat-forest";
import type { GrowJob, ScoreJob } from "./thread";
import { mergeOob, newOob, type OobAccumulator } from "./train";
import type { BinTree, TrainingSet, TreeParams } from "./tree";

export interface GrowOptions {
  threads?: number;
  oob?: boolean;
  /** Rows, binned (F a row), whose leaves every tree records (for `referencePredictions`). */
  reference?: Uint8Array;
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

/** Threads running a job now. */
let busy = 0;

function spawnThread(): Worker {
  const worker = new Worker(new URL("../thread-entry.mjs", import.meta.url), {
    workerData: { entry: new URL("./thread.ts", import.meta.url).href },
  });
  worker.unref();
  // A thread that dies while idle leaves the pool (a job's own listeners see a death mid-job).
  worker.on("error", () => {});
  worker.on("exit", () => {
    const i = idle.findIndex((s) => s.worker === worker);
    if (i >= 0) {
      clearTimeout(idle[i]!.timer);
      idle.splice(i, 1);
    }
  });
  return worker;
}

function acquire(): Worker {
  const slot = idle.pop();
  const worker = slot?.worker ?? spawnThread();
  if (slot) clearTimeout(slot.timer);
  busy++;
  return worker;
}

/**
 * Starts threads ahead of a job, up to `threads` in the pool: loading one takes a few hundred
 * ms, which the train node overlaps with reading and binning its data (one core busy then).
 */
export function warmThreads(threads = defaultThreads()) {
  for (let k = idle.length + busy; k < threads; k++) release(spawnThread());
}

/** The threads waiting for a job (tests). */
export const idleThreads = () => idle.map((s) => s.worker);

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
 * Runs one job on a pooled thread: resolves with the job's "done" message (after `onMessage` saw
 * every message of the job), rejects on its "error", the thread's exit or `signal`.
 */
function runJob(job: GrowJob | ScoreJob, onMessage: (msg: Reply) => void, signal?: AbortSignal): Promise<Extract<Reply, { type: "done" }>> {
  const worker = acquire();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: unknown, done?: Extract<Reply, { type: "done" }>) => {
      if (settled) return;
      settled = true;
      worker.off("message", onReply);
      worker.off("error", onError);
      worker.off("exit", onExit);
      signal?.removeEventListener("abort", onAbort);
      busy--;
      if (err) {
        // A thread that failed or was interrupted mid-job is not reused.
        void worker.terminate();
        reject(err);
      } else {
        release(worker);
        resolve(done!);
      }
    };
    const onReply = (msg: Reply) => {
      if (msg.id !== job.id) return;
      if (msg.type === "done") finish(null, msg);
      else if (msg.type === "error") finish(new Error(msg.message));
      else onMessage(msg);
    };
    const onError = (e: Error) => finish(e);
    const onExit = (code: number) => finish(new Error(`training thread exited with code ${code}`));
    const onAbort = () => finish(signal?.reason ?? new Error("training cancelled"));
    worker.on("message", onReply);
    worker.once("error", onError);
    worker.once("exit", onExit);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      worker.postMessage(job);
    } catch (e) {
      finish(e);
    }
  });
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
    Array.from({ length: threads }, async (_, t) => {
      const mine = indices.filter((_, k) => k % threads === t);
      const job: GrowJob = { id: nextJob++, set, params, seed, indices: mine, oob: !!oob, reference: opts.reference ?? null };
      const done = await runJob(
        job,
        (msg) => {
          if (msg.type !== "tree") return;
          trees.set(msg.index, msg.tree);
          opts.onTree?.(trees.size, indices.length);
        },
        opts.signal,
      );
      if (oob && done.oob) mergeOob(oob, done.oob);
    }),
  );
  return { trees: indices.map((i) => trees.get(i)!), oob };
}

/**
 * Scores `n` encoded rows (`x`, row-major, on shared memory) into `out` (shared, n × classes)
 * on the pool's threads, a contiguous share of the rows each: what `walkRows` computes, in parallel.
 */
export async function scoreInThreads(layout: WalkLayout, x: Float64Array, n: number, out: Float64Array, threads = defaultThreads()) {
  const parts = Math.max(1, Math.min(threads, n));
  await Promise.all(
    Array.from({ length: parts }, (_, t) => {
      const from = Math.floor((n * t) / parts);
      const to = Math.floor((n * (t + 1)) / parts);
      return runJob({ type: "score", id: nextJob++, layout, x, out, from, to }, () => {});
    }),
  );
  return out;
}
