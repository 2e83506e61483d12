/**
 * The process's serving runtime: one per process, kept on globalThis (Next may load this module
 * twice). The web process's answers every endpoint; the app process starts one of its own on the
 * endpoint page's first "Try it" (scored and logged like any request, counted in that process).
 * Started on first use; if the database is not reachable yet, start is retried until it is.
 */
import { db } from "~/db/client";
import { artifactStore } from "~/workflows/artifacts";
import { ServingRuntime } from "./runtime";

const g = globalThis as unknown as { __millraceServing?: { runtime: ServingRuntime; started: Promise<void> } };

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

/** Stops the process's serving runtime, if one was started (its queued prediction log rows are written first). */
export async function stopServingRuntime(): Promise<void> {
  await g.__millraceServing?.runtime.stop();
}
