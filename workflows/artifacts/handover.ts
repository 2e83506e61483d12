/**
 * A decoded artifact handed from the node that wrote it to the next node in the same process:
 * the train node leaves its model here as a reader would decode it, and evaluate, which runs
 * next (in the same worker, as a rule), takes it instead of reading it back and decoding it
 * (a 140 MB file, ≈ 0.15 s on the 327k-row flights set). One value at a time, taken once,
 * dropped after a minute or when another is left — and taken only while the artifact is the very
 * one that was written (the store's identity of it unchanged); otherwise the reader reads the store.
 */
import type { ArtifactStore } from "./store";

interface Slot {
  store: ArtifactStore;
  uri: string;
  identity: string;
  value: unknown;
  timer: NodeJS.Timeout;
}

const KEEP_MS = 60_000;
let slot: Slot | null = null;

function drop() {
  if (slot) clearTimeout(slot.timer);
  slot = null;
}

/** Leaves `value`, the decoded form of the artifact just written at `uri`, for the next reader in this process. */
export async function leave(store: ArtifactStore, uri: string, value: unknown) {
  const identity = await store.identity(uri);
  // After the wait: a value left meanwhile (two trainings ending together) goes with its timer.
  drop();
  if (identity === null) return;
  const timer = setTimeout(drop, KEEP_MS);
  timer.unref();
  slot = { store, uri, identity, value, timer };
}

/** The value left for `uri` in this store, if it is still the artifact that was written; else undefined (read the store). */
export async function take<T>(store: ArtifactStore, uri: string): Promise<T | undefined> {
  const left = slot;
  if (!left || left.store !== store || left.uri !== uri) return undefined;
  drop();
  return (await store.identity(uri)) === left.identity ? (left.value as T) : undefined;
}
