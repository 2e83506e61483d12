/**
 * What flows through a run: the compiled plan, the references nodes pass to each other, and
 * run and node statuses. Everything here is small JSON; datasets and models stay in the
 * artifact store.
 */
import type { ColumnSchema } from "./document";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type NodeStatus = "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled";

/**
 * A fitted transformation, replayed by the serving runtime on raw request rows: the node type
 * that produced it and what it fitted (its own shape; the node's `replay` reads it).
 */
export interface LineageStep {
  type: string;
  params: unknown;
}

export interface Lineage {
  /** Columns as ingested, before any cleaning or feature step: the endpoint's input. */
  rawColumns: ColumnSchema[];
  steps: LineageStep[];
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
  /** The raw columns an endpoint serving this model accepts (ingested columns minus the target). */
  signature: ColumnSchema[];
}

interface MetricsRef {
  kind: "metrics";
  values: Record<string, number>;
  /** Chart data for the run page (bounded in size), as the producing node shapes it. */
  report?: unknown;
  /** Per held-out row: the prediction scored (JSON array), for audits and replay checks. */
  predictionsUri?: string;
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

/**
 * A run's scores: what its nodes put on `metrics` ports, merged (null when there are none). The
 * worker keeps them on the run when it finishes; the run page reads them while it runs.
 */
export function runMetrics(outputs: Iterable<Record<string, ArtifactRef> | null>): Record<string, number> | null {
  const metrics: Record<string, number> = {};
  for (const o of outputs) for (const ref of Object.values(o ?? {})) if (ref.kind === "metrics") Object.assign(metrics, ref.values);
  return Object.keys(metrics).length ? metrics : null;
}
