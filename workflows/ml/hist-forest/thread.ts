/** worker_threads entry: grows the trees of each job it is sent, on the shared binned data, or scores rows. */
import { parentPort } from "node:worker_threads";
import { mulberry32 } from "~/lib/random";
import { walkRows, type WalkLayout } from "~/workflows/model/flat-forest";
import { addOob, leavesOf, newOob, treeSeed } from "./train";
import { growTree, releaseBuffers, type TrainingSet, type TreeParams } from "./tree";

/** Rows [from, to) of `x` (encoded, row-major) scored into `out`; both on shared memory. */
export interface ScoreJob {
  type: "score";
  id: number;
  layout: WalkLayout;
  x: Float64Array;
  out: Float64Array;
  from: number;
  to: number;
}

export interface GrowJob {
  type?: "grow";
  id: number;
  set: TrainingSet;
  params: TreeParams;
  seed: number;
  indices: number[];
  oob: boolean;
  /** Rows (binned, F a row) whose leaves each tree records (`BinTree.reference`). */
  reference: Uint8Array | null;
}

parentPort!.on("message", (job: GrowJob | ScoreJob) => {
  if (job.type === "score") {
    try {
      const { layout, x, out, from, to } = job;
      walkRows(layout, x.subarray(from * layout.F, to * layout.F), to - from, out.subarray(from * layout.K, to * layout.K));
      parentPort!.postMessage({ type: "done", id: job.id, oob: null });
    } catch (e) {
      parentPort!.postMessage({ type: "error", id: job.id, message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
    }
    return;
  }
  const { id, set, params, seed, indices, oob, reference } = job;
  try {
    const K = params.task === "classification" ? params.nClasses : 1;
    const acc = oob ? newOob(set.n, K) : null;
    for (const index of indices) {
      const tree = growTree(set, params, mulberry32(treeSeed(seed, index)));
      if (acc) addOob(set, tree, K, acc);
      tree.oob = new Uint32Array(0);
      // Walked here, while the tree is in this thread's cache, and summed in tree order by the caller.
      if (reference) tree.reference = leavesOf(reference, set.nFeatures, tree);
      // Copied, not transferred: the first buffer an isolate detaches (a transfer does) makes V8
      // check every typed array access of its optimised code for detached buffers from then on —
      // ≈ 17% a tree on this thread (74 → 88 ms on flights). A tree's arrays are ≈ 1 MB to copy.
      parentPort!.postMessage({ type: "tree", id, index, tree });
    }
    parentPort!.postMessage({ type: "done", id, oob: acc });
  } catch (e) {
    parentPort!.postMessage({ type: "error", id, message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  } finally {
    releaseBuffers();
  }
});
