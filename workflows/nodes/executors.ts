/**
 * The worker's executors, found by convention: node type `t` runs `./t/execute.ts`, which
 * exports `executor = defineExecutor(spec, …)`. The registry stays the one list of node types;
 * `npm run check` (verify.ts) fails when a registered type has no executor or a folder is
 * left out of the registry.
 */
import { UserError } from "~/lib/errors";
import type { DefinedExecutor } from "./executor";
import { isNodeType, nodeSpecs } from "./registry";

const loaded = new Map<string, Promise<DefinedExecutor>>();

async function importExecutor(type: string): Promise<DefinedExecutor> {
  const mod = (await import(`./${type}/execute.ts`)) as { executor?: DefinedExecutor };
  const executor = mod.executor;
  if (!executor || typeof executor.execute !== "function") throw new Error(`${type}/execute.ts does not export an executor`);
  if (executor.type !== type) throw new Error(`${type}/execute.ts exports the executor of '${executor.type}'`);
  return executor;
}

export function loadExecutor(type: string): Promise<DefinedExecutor> {
  if (!isNodeType(type)) return Promise.reject(new UserError(`unknown node type '${type}'`));
  let p = loaded.get(type);
  if (!p) {
    p = importExecutor(type);
    p.catch(() => loaded.delete(type));
    loaded.set(type, p);
  }
  return p;
}

/** Loads every registered executor, so that a broken one stops the worker at start, not mid-run. */
export async function loadAllExecutors(): Promise<DefinedExecutor[]> {
  return Promise.all(Object.keys(nodeSpecs).map(loadExecutor));
}
