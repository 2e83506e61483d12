/** worker_threads entry: grows the trees of each job it is sent, on the shared binned data. */
import { parentPort } from "node:worker_threads";
import { mulberry32 } from "~/lib/random";
import { addOob, newOob, treeSeed } from "./train";
import { growTree, type TrainingSet, type TreeParams } from "./tree";

export interface GrowJob {
  id: number;
  set: TrainingSet;
  params: TreeParams;
  seed: number;
  indices: number[];
  oob: boolean;
}

parentPort!.on("message", ({ id, set, params, seed, indices, oob }: GrowJob) => {
  try {
    const K = params.task === "classification" ? params.nClasses : 1;
    const acc = oob ? newOob(set.n, K) : null;
    for (const index of indices) {
      const tree = growTree(set, params, mulberry32(treeSeed(seed, index)));
      if (acc) addOob(set, tree, K, acc);
      tree.oob = new Uint32Array(0);
      const transfer = [tree.feature, tree.bin, tree.missingLeft, tree.left, tree.right, tree.leafValues, tree.importance].map((a) => a.buffer as ArrayBuffer);
      parentPort!.postMessage({ type: "tree", id, index, tree }, transfer);
    }
    parentPort!.postMessage({ type: "done", id, oob: acc }, acc ? [acc.sum.buffer as ArrayBuffer, acc.count.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ type: "error", id, message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
