/**
 * The node registry: every node type, once. The palette, inspector, compiler and worker
 * all read this; `executors.ts` must cover exactly these keys (checked by the compiler).
 */
import { csvDatasetSpec } from "./csv-dataset/spec";
import { deployEndpointSpec } from "./deploy-endpoint/spec";
import { deriveColumnSpec } from "./derive-column/spec";
import { evaluateSpec } from "./evaluate/spec";
import { fillMissingSpec } from "./fill-missing/spec";
import { monitorEndpointSpec } from "./monitor-endpoint/spec";
import { randomForestSpec } from "./random-forest/spec";
import type { NodeSpec } from "./spec";
import { trainTestSplitSpec } from "./train-test-split/spec";

export const nodeSpecs = {
  "csv-dataset": csvDatasetSpec,
  "fill-missing": fillMissingSpec,
  "derive-column": deriveColumnSpec,
  "train-test-split": trainTestSplitSpec,
  "random-forest": randomForestSpec,
  evaluate: evaluateSpec,
  "deploy-endpoint": deployEndpointSpec,
  "monitor-endpoint": monitorEndpointSpec,
} as const;

export type NodeType = keyof typeof nodeSpecs;
export type NodeConfig<T extends NodeType> = import("zod").output<(typeof nodeSpecs)[T]["config"]>;

export function isNodeType(type: string): type is NodeType {
  return Object.hasOwn(nodeSpecs, type);
}

export function getSpec(type: string): NodeSpec | undefined {
  return isNodeType(type) ? (nodeSpecs[type] as unknown as NodeSpec) : undefined;
}

/** A node's config with every default filled in, for new nodes on the canvas. */
export function defaultConfig(type: NodeType): Record<string, unknown> {
  return nodeSpecs[type].config.parse({}) as Record<string, unknown>;
}
