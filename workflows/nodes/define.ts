/**
 * The shape of a node type's definition (`<type>/spec.ts`). Specs are pure data plus pure
 * functions — no Node, React or database imports — so the browser, the API validators, the
 * worker and the serving runtime all share them. The side effects live in `<type>/execute.ts`.
 */
import type { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactRef, PortType } from "~/lib/pipeline/plan";

export const stages = ["ingest", "clean", "feature", "split", "train", "evaluate", "deploy", "monitor"] as const;
export type Stage = (typeof stages)[number];

interface PortSpec {
  type: PortType;
  label: string;
  /** Optional inputs may stay unconnected. */
  optional?: boolean;
}

/** What the compiler can look up about the world outside the graph. */
export interface CompileLookups {
  datasetColumns: (id: string) => ColumnSchema[] | undefined;
  /** Which pipeline serves an endpoint slug now; undefined when the slug is free. */
  endpoint?: (slug: string) => { pipelineId: string | null; pipelineName: string | null; otherWorkspace?: boolean } | undefined;
  /** The pipeline being compiled; absent for a document that is not saved yet. */
  pipelineId?: string;
}

/** What the compiler knows while checking a node. */
interface InferContext<C> extends CompileLookups {
  config: C;
  /** Columns arriving on each connected dataset input port. */
  inputs: Record<string, ColumnSchema[] | undefined>;
}

interface InferResult {
  /** Columns on each dataset output port. */
  outputs?: Record<string, ColumnSchema[]>;
  /** Problems with the config, `path` naming the config field (or `inputs.<port>` for what arrives there). */
  errors?: { path: string; message: string }[];
}

/** What the canvas knows when the user adds a node, for defaults that depend on the pipeline. */
export interface NewNodeContext {
  pipelineName: string;
  /** Slugs of the endpoints that exist now. */
  endpointSlugs: string[];
  /** The nodes already on the canvas. */
  nodes: { type: string; config: Record<string, unknown> }[];
}

/** How a finished node's results are shown on the run page: data, drawn by generic viewers. */
export type Panel =
  | { kind: "metrics"; title?: string; values: Record<string, number>; /** keys also shown on the node card */ headline: string[] }
  | { kind: "bars"; title: string; items: { label: string; value: number }[]; format: "percent" | "number" }
  | { kind: "table"; title: string; columns: string[]; rows: (string | number)[][] }
  /** Counts by actual (rows) and predicted (columns) label. */
  | { kind: "matrix"; title: string; labels: string[]; counts: number[][] }
  /** Lines in the unit square or any range; `diagonal` draws y = x for reference. */
  | { kind: "curves"; title: string; xLabel: string; yLabel: string; curves: { label: string; x: number[]; y: number[] }[]; diagonal?: boolean }
  | { kind: "scatter"; title: string; xLabel: string; yLabel: string; x: number[]; y: number[] };

interface NodeOutcome {
  metrics: Record<string, number> | null;
  outputs: Record<string, ArtifactRef> | null;
}

export type Row = Record<string, unknown>;

// Function members are methods so that any node's spec is assignable to `NodeSpec` (bivariance).
export interface NodeSpec<T extends string = string, C extends z.ZodObject = z.ZodObject, S = unknown> {
  type: T;
  label: string;
  stage: Stage;
  description: string;
  config: C;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  /** Output columns and config errors, from the input columns: the canvas and the API show them. */
  infer?(ctx: InferContext<z.output<C>>): InferResult;
  /** Config for a node the user just added, beyond the schema's defaults. */
  initialConfig?(ctx: NewNodeContext): Partial<z.input<C>>;
  /** The key setting, shown on the node card. */
  summary?(config: z.output<C>): string;
  /** The run page's view of a finished node. Without it, its metrics are shown as a table. */
  present?(outcome: NodeOutcome): Panel[];
  /**
   * Serving-time replay of what this node fitted during training (its lineage step's
   * `params`): returns a function that applies it to one raw request row, in place.
   */
  replay?(params: S): (row: Row) => void;
  /**
   * For serving: which input columns each column this step writes is computed from (from its
   * lineage `params`); columns it does not name pass through unchanged. An endpoint learns from
   * it which raw fields a model needs (the others are optional). A step that writes a column
   * and leaves it out here would make that column's sources look unused.
   */
  reads?(params: S): Record<string, string[]>;
  /**
   * Whether a run may reuse this node's output from an earlier run with the same type, config and
   * input artifacts (default true). False for nodes with side effects (deploying) or that read
   * data which can change behind the same config (a database query).
   */
  cache?: false;
  /** Bumped when the executor changes what it produces: outputs cached by an older one are not reused. */
  version?: number;
  /**
   * Where the node stands to a split of rows. `holds-out`: it sets rows aside to score models on
   * (a train/test split). `train-side`: it fits on the target (target encoding) and belongs after
   * such a split, on its train rows — upstream of it, the held-out rows would be scored with
   * out-of-fold encodings that take other held-out rows' targets, not the ones an endpoint uses.
   * The compiler refuses a train-side node upstream of a holds-out one.
   */
  placement?: "holds-out" | "train-side";
}

export function defineNode<T extends string, C extends z.ZodObject, S = never>(spec: NodeSpec<T, C, S>): NodeSpec<T, C, S> {
  return spec;
}

/** The lineage step a transform node records; `replay` receives `params` at serving time. */
export function lineageStep<S>(spec: NodeSpec<string, z.ZodObject, S>, params: S) {
  return { type: spec.type, params };
}

/** Inspector widgets beyond what the JSON Schema type implies; carried in zod `.meta()`. */
export type Widget = "column" | "columns" | "column-map" | "dataset" | "expression" | "secret" | "sql" | "query-columns";

export function findColumn(cols: ColumnSchema[] | undefined, name: string) {
  return cols?.find((c) => c.name === name);
}

/** Metrics shown as a table (the default view of a node's results), all of them on the card too. */
export function metricsPanels(metrics: Record<string, number> | null, headline = Object.keys(metrics ?? {})): Panel[] {
  return metrics && Object.keys(metrics).length ? [{ kind: "metrics", values: metrics, headline }] : [];
}
