/** One fan-out slice in its own process: grow trees [first, first+count) from a prepared training file. */
import fs from "node:fs";
import { decodeTraining, encodeTrees, growTrees, treeParams, type ForestOptions } from "../workflows/ml/hist-forest";

const [file, first, count, threads, out, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson!) as ForestOptions;
const prepared = decodeTraining(fs.readFileSync(file!));
const params = treeParams(opts, prepared.set.nFeatures, prepared.classes?.length ?? 1);
const indices = Array.from({ length: Number(count) }, (_, i) => Number(first) + i);
const { trees } = await growTrees(prepared.set, params, opts.seed, indices, { threads: Number(threads) });
fs.writeFileSync(out!, encodeTrees(Number(first), trees, null));
