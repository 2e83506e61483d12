/**
 * What an executor (`<type>/execute.ts`) gets from the worker and gives back. Executors hold
 * all of a node's side effects; they run inside a Temporal activity.
 */
import type { z } from "zod";
import type { ArtifactRef } from "~/lib/pipeline/plan";
import type { Db } from "~/db/client";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import type { NodeSpec } from "./define";

export interface ExecContext<C> {
  runId: string;
  /** The workspace the run belongs to: what the node may read (datasets, secrets). */
  workspaceId: string;
  /** Who started the run (for the audit log), if anyone. */
  startedBy: string | null;
  nodeId: string;
  config: C;
  inputs: Record<string, ArtifactRef>;
  artifacts: ArtifactStore;
  /** A scratch directory of this attempt's own; removed when the attempt ends, however it ends. */
  scratchDir(): Promise<string>;
  db: Db;
  /** A secret of the run's workspace, in clear; its value is kept out of every error message. */
  secret(name: string): Promise<string>;
  heartbeat: (details?: unknown) => void;
  /**
   * How many worker processes take activities from this task queue now: this one and the others
   * polling it (at least 1) — whether splitting work into activities of its own can spread it
   * over more machines.
   */
  workers: () => Promise<number>;
  /** Reports progress (e.g. trees done) under a key; shown on the run page. Throttled by the caller. */
  progress: (key: string, done: number, total: number) => void;
  /** A line for the node's log on the run page: what it did, with fields (rows, columns, seconds). */
  log: (message: string, fields?: Record<string, unknown>, level?: "info" | "warn") => void;
  signal: AbortSignal;
}

export interface ExecResult {
  outputs: Record<string, ArtifactRef>;
  /** Numbers worth showing on the run page (the node's `present` decides how). */
  metrics?: Record<string, number>;
}

/**
 * Returned instead of outputs to split the work: each task runs as its own activity (on any
 * worker), then `merge` combines their results. A worker lost mid-task costs only that task.
 */
export interface FanOut {
  fanOut: { tasks: unknown[]; state: unknown };
}

export const isFanOut = (r: ExecResult | FanOut): r is FanOut => "fanOut" in r;

export interface Executor<C, Task = never, State = never, Part = never> {
  execute(ctx: ExecContext<C>): Promise<ExecResult | FanOut>;
  /** Scalable executors only: one task of a fan-out. */
  slice?(ctx: ExecContext<C>, task: Task, index: number): Promise<Part>;
  merge?(ctx: ExecContext<C>, state: State, parts: Part[]): Promise<ExecResult>;
}

/** The executor context of a node spec: `config` typed by its own schema. */
export type ContextOf<S extends NodeSpec<string, z.ZodObject, never>> = ExecContext<z.output<S["config"]>>;

/** An executor bound to its node type, typed by that node's own config schema. */
export type DefinedExecutor = Executor<Record<string, unknown>, unknown, unknown, unknown> & { type: string };

export function defineExecutor<C extends z.ZodObject, Task = never, State = never, Part = never>(
  spec: NodeSpec<string, C, never>,
  impl: Executor<z.output<C>, Task, State, Part>,
): DefinedExecutor {
  return { type: spec.type, ...(impl as unknown as Executor<Record<string, unknown>, unknown, unknown, unknown>) };
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

/**
 * What a node's outputs may weigh as the workflow passes them on (as JSON): datasets travel by
 * reference, but with their columns and the fitted steps of their lineage, which the next nodes
 * and the endpoint replay. Temporal refuses a message over 2 MB, and a node with two inputs
 * receives both: 1 MB each.
 */
export const MAX_OUTPUT_BYTES = 1 << 20;

/** Why a node's outputs are too large to pass on (naming the heaviest fitted steps), or null. */
export function oversizedOutputs(outputs: Record<string, ArtifactRef>, limit = MAX_OUTPUT_BYTES): string | null {
  const bytes = Buffer.byteLength(JSON.stringify(outputs));
  if (bytes <= limit) return null;
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const steps = new Map<string, number>();
  for (const ref of Object.values(outputs)) {
    if (ref.kind !== "dataset") continue;
    for (const s of ref.lineage.steps) steps.set(s.type, (steps.get(s.type) ?? 0) + JSON.stringify(s.params ?? null).length);
  }
  const heaviest = [...steps].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([type, n]) => `${type} ${mb(n)}`);
  return (
    `what this node passes on weighs ${mb(bytes)}, over the ${mb(limit)} a node's outputs may carry through the workflow engine` +
    (heaviest.length ? `: its data's fitted steps travel with it (heaviest: ${heaviest.join(", ")}); encode fewer columns, or columns with fewer distinct values` : "")
  );
}
