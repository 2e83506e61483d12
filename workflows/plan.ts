/**
 * What flows through Temporal: the compiled plan and the references nodes pass to each other.
 * Everything here is small JSON; datasets and models stay in the artifact store.
 */
import type { ColumnSchema } from "./graph";

export const runStatuses = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];
export const nodeStatuses = ["queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
export type NodeStatus = (typeof nodeStatuses)[number];

/** A fitted transformation, replayed by the serving runtime on raw request rows. */
export type TransformStep =
  | { kind: "fill"; values: Record<string, number | string | boolean> }
  | { kind: "derive"; name: string; expression: string };

export interface Lineage {
  /** Columns as ingested, before any cleaning or feature step: the endpoint's input. */
  rawColumns: ColumnSchema[];
  steps: TransformStep[];
}

export interface DatasetRef {
  kind: "dataset";
  uri: string;
  rows: number;
  columns: ColumnSchema[];
  lineage: Lineage;
}

export interface ModelRef {
  kind: "model";
  uri: string;
  task: "classification" | "regression";
  target: string;
  features: string[];
}

export interface MetricsRef {
  kind: "metrics";
  values: Record<string, number>;
}

export interface EndpointRef {
  kind: "endpoint";
  slug: string;
  modelVersionId: string;
  modelVersion: number;
}

export type ArtifactRef = DatasetRef | ModelRef | MetricsRef | EndpointRef;
export type PortType = ArtifactRef["kind"];

export interface PlanNode {
  id: string;
  type: string;
  config: Record<string, unknown>;
  /** Input port → the upstream node and output port that feeds it. */
  inputs: Record<string, { node: string; port: string }>;
}

export interface ExecutionPlan {
  pipelineId: string;
  pipelineVersion: number;
  /** Topological order: every node comes after all of its inputs. */
  nodes: PlanNode[];
}

export interface RunPipelineInput {
  runId: string;
  plan: ExecutionPlan;
}

export interface ExecuteNodeInput {
  runId: string;
  node: PlanNode;
  inputs: Record<string, ArtifactRef>;
}

export interface ExecuteNodeResult {
  outputs: Record<string, ArtifactRef>;
  /** Set when the node split its work: run each task with executeSlice, then mergeSlices. */
  fanOut?: { tasks: unknown[]; state: unknown };
}

export interface ExecuteSliceInput {
  runId: string;
  node: PlanNode;
  inputs: Record<string, ArtifactRef>;
  task: unknown;
  index: number;
}

export interface MergeSlicesInput {
  runId: string;
  node: PlanNode;
  inputs: Record<string, ArtifactRef>;
  state: unknown;
  parts: unknown[];
}

export const workflowIdForRun = (runId: string) => `run-${runId}`;
export const DEFAULT_TASK_QUEUE = "millrace-pipelines";
