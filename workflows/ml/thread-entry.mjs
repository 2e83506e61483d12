// Plain-JS bootstrap for worker threads: Node 20 threads do not inherit tsx's loader hooks,
// so register them here, then load the TypeScript module named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
