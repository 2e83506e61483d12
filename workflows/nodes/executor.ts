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
  signal: AbortSignal;
}

export interface ExecResult {
  outputs: Record<string, ArtifactRef>;
  /** Numbers worth showing on the run page (evaluate's metrics). */
  metrics?: Record<string, number>;
}

export type Executor<C> = (ctx: ExecContext<C>) => Promise<ExecResult>;

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
