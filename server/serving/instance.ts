/**
 * The process's serving runtime: one per process, kept on globalThis (Next may load this module
 * twice), holding every endpoint and following their changes — the web process's and `npm run
 * serve`'s. Started on first use; if the database is not reachable yet, start is retried until it is.
 */
import { db } from "~/db/client";
import { artifactStore } from "~/workflows/artifacts";
import { ServingRuntime } from "./runtime";

const g = globalThis as unknown as { __millraceServing?: { runtime: ServingRuntime; started: Promise<void> }; __millraceServingOnDemand?: ServingRuntime };

const RETRY_MS = 2000;

function startWithRetry(rt: ServingRuntime): Promise<void> {
  return rt.start().catch(async (e: unknown) => {
    console.error(`[serving] could not load endpoints (${(e as Error).message}); retrying in ${RETRY_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
    return startWithRetry(rt);
  });
}

export function servingRuntime(): { runtime: ServingRuntime; started: Promise<void> } {
  if (!g.__millraceServing) {
    const runtime = new ServingRuntime(db(), artifactStore());
    g.__millraceServing = { runtime, started: startWithRetry(runtime) };
  }
  return g.__millraceServing;
}

/**
 * The app process's runtime, for the endpoint page ("Try it", its OpenAPI): it holds only the
 * endpoints asked about, read afresh on every use (`servedNow`), and follows nothing — no
 * LISTEN, reconcile or timers, and no model kept that no endpoint it holds serves.
 */
export function onDemandRuntime(): ServingRuntime {
  return (g.__millraceServingOnDemand ??= new ServingRuntime(db(), artifactStore()));
}

/** Stops the process's serving runtimes, if any was started (their queued prediction log rows are written first). */
export async function stopServingRuntime(): Promise<void> {
  await g.__millraceServing?.runtime.stop();
  await g.__millraceServingOnDemand?.stop();
}
