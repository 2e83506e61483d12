/** What an executor gets from the worker and gives back. Executors hold all side effects. */
import type { Db } from "../../db/client";
import type { ArtifactStore } from "../../server/artifacts/store";
import type { ArtifactRef } from "../plan";

export interface ExecContext<C> {
  runId: string;
  nodeId: string;
  config: C;
  inputs: Record<string, ArtifactRef>;
  artifacts: ArtifactStore;
  db: Db;
  heartbeat: (details?: unknown) => void;
  /** Reports progress (e.g. trees done) under a key; shown on the run page. Throttled by the caller. */
  progress: (key: string, done: number, total: number) => void;
  signal: AbortSignal;
}

export interface ExecResult {
  outputs: Record<string, ArtifactRef>;
  /** Numbers worth showing on the run page (evaluate's metrics). */
  metrics?: Record<string, number>;
}

/**
 * Returned instead of outputs to split the work: each task runs as its own activity (on any
 * worker), then `merge` combines their results. A worker lost mid-task costs only that task.
 */
export interface FanOut {
  fanOut: { tasks: unknown[]; state: unknown };
}

export type Executor<C> = (ctx: ExecContext<C>) => Promise<ExecResult | FanOut>;

export interface ScalableExecutor<C, Task = never, State = never, Part = never> {
  execute: Executor<C>;
  slice: (ctx: ExecContext<C>, task: Task, index: number) => Promise<Part>;
  merge: (ctx: ExecContext<C>, state: State, parts: Part[]) => Promise<ExecResult>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- task/state/part types are the executor's own business
export type NodeExecutor<C> = Executor<C> | ScalableExecutor<C, any, any, any>;

export const isFanOut = (r: ExecResult | FanOut): r is FanOut => "fanOut" in r;

/** A problem with the user's data or config: reported on the node, never retried. */
export class UserError extends Error {
  override name = "UserError";
}

/** Artifact keys are derived from run and node, so a retried activity overwrites, never duplicates. */
export const artifactKey = (ctx: { runId: string; nodeId: string }, name: string) =>
  `runs/${ctx.runId}/${ctx.nodeId}/${name}`;

export function input<K extends ArtifactRef["kind"]>(
  ctx: { inputs: Record<string, ArtifactRef> },
  port: string,
  kind: K,
): Extract<ArtifactRef, { kind: K }> {
  const ref = ctx.inputs[port];
  if (!ref || ref.kind !== kind) throw new Error(`input '${port}' should be a ${kind}, got ${ref?.kind ?? "nothing"}`);
  return ref as Extract<ArtifactRef, { kind: K }>;
}
