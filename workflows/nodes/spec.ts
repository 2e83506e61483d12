/**
 * The shape of a node type's definition. Specs are pure data plus pure functions:
 * no Node or React imports, so the browser, the API validators and the worker share them.
 */
import type { z } from "zod";
import type { ColumnSchema } from "../graph";
import type { PortType } from "../plan";

export const stages = ["ingest", "clean", "feature", "split", "train", "evaluate", "deploy", "monitor"] as const;
export type Stage = (typeof stages)[number];

export interface PortSpec {
  type: PortType;
  label: string;
  /** Optional inputs may stay unconnected. */
  optional?: boolean;
}

/** What the compiler knows while checking a node: upstream dataset columns, stored datasets. */
export interface InferContext<C> {
  config: C;
  /** Columns arriving on each connected dataset input port. */
  inputs: Record<string, ColumnSchema[] | undefined>;
  datasetColumns: (id: string) => ColumnSchema[] | undefined;
}

export interface InferResult {
  /** Columns on each dataset output port. */
  outputs?: Record<string, ColumnSchema[]>;
  /** Problems with the config, `path` naming the config field. */
  errors?: { path: string; message: string }[];
}

export interface NodeSpec<T extends string = string, C extends z.ZodObject = z.ZodObject> {
  type: T;
  label: string;
  stage: Stage;
  description: string;
  config: C;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  infer?: (ctx: InferContext<z.output<C>>) => InferResult;
}

export function defineNode<T extends string, C extends z.ZodObject>(spec: NodeSpec<T, C>): NodeSpec<T, C> {
  return spec;
}

/** Inspector widgets beyond what the JSON Schema type implies; carried in zod `.meta()`. */
export type Widget = "column" | "columns" | "dataset" | "expression";

export function findColumn(cols: ColumnSchema[] | undefined, name: string) {
  return cols?.find((c) => c.name === name);
}
