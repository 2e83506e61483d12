/** One fan-out slice in its own process: grow trees [first, first+count) from a prepared training file. */
import fs from "node:fs";
import { growSlice, type ForestOptions } from "~/workflows/ml/hist-forest";

const [file, first, count, threads, out, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson!) as ForestOptions;
fs.writeFileSync(out!, await growSlice(fs.readFileSync(file!), opts, Number(first), Number(count), { threads: Number(threads) }));
