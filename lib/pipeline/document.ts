/**
 * The pipeline document: what the canvas draws, the API accepts and Postgres stores.
 * Pure data and zod only, so the browser, tRPC, REST handlers and the worker share it.
 */
import { z } from "zod";

export type ColumnType = "number" | "string" | "boolean";

/** A column as Millrace types it. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** True when the column holds at least one missing value. */
  nullable: boolean;
}

const graphNodeSchema = z.object({
  id: z.string().min(1).max(64),
  type: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
});

const graphEdgeSchema = z.object({
  source: z.string(),
  sourceHandle: z.string(),
  target: z.string(),
  targetHandle: z.string(),
});

const pipelineGraphSchema = z.object({
  nodes: z.array(graphNodeSchema).max(500),
  edges: z.array(graphEdgeSchema).max(2000),
});
export type PipelineGraph = z.infer<typeof pipelineGraphSchema>;

export const pipelineDocumentSchema = pipelineGraphSchema.extend({
  name: z.string().trim().min(1, "name is required").max(200),
});
export type PipelineDocument = z.infer<typeof pipelineDocumentSchema>;

/** One problem with a pipeline, pinned to the node (and config field) at fault. */
export interface GraphError {
  nodeId: string | null;
  path: string;
  message: string;
}
