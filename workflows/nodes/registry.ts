/**
 * The node registry: every node type, once — one line per folder. Keys come from each
 * spec's `type`; the palette, inspector, compiler, run page, serving replay and worker all
 * read this list. The worker finds each type's executor at `<type>/execute.ts`, and
 * `npm run check` (workflows/nodes/verify.ts) fails on a folder that is half registered.
 */
import { spec as batchScore } from "./batch-score/spec";
import { spec as bin } from "./bin/spec";
import { spec as castTypes } from "./cast-types/spec";
import { spec as clipOutliers } from "./clip-outliers/spec";
import { spec as crossValidate } from "./cross-validate/spec";
import { spec as csvDataset } from "./csv-dataset/spec";
import { spec as dateParts } from "./date-parts/spec";
import type { NewNodeContext, NodeSpec } from "./define";
import { spec as deployEndpoint } from "./deploy-endpoint/spec";
import { spec as deriveColumn } from "./derive-column/spec";
import { spec as dropDuplicates } from "./drop-duplicates/spec";
import { spec as dropMissing } from "./drop-missing/spec";
import { spec as evaluate } from "./evaluate/spec";
import { spec as fillMissing } from "./fill-missing/spec";
import { spec as filterRows } from "./filter-rows/spec";
import { spec as logTransform } from "./log-transform/spec";
import { spec as monitorEndpoint } from "./monitor-endpoint/spec";
import { spec as oneHot } from "./one-hot/spec";
import { spec as ordinalEncode } from "./ordinal-encode/spec";
import { spec as postgresQuery } from "./postgres-query/spec";
import { spec as randomForest } from "./random-forest/spec";
import { spec as scale } from "./scale/spec";
import { spec as selectColumns } from "./select-columns/spec";
import { spec as targetEncode } from "./target-encode/spec";
import { spec as trainTestSplit } from "./train-test-split/spec";

const nodes = [
  csvDataset,
  postgresQuery,
  castTypes,
  clipOutliers,
  dropDuplicates,
  dropMissing,
  fillMissing,
  filterRows,
  selectColumns,
  deriveColumn,
  oneHot,
  ordinalEncode,
  scale,
  logTransform,
  bin,
  targetEncode,
  dateParts,
  trainTestSplit,
  randomForest,
  crossValidate,
  evaluate,
  batchScore,
  deployEndpoint,
  monitorEndpoint,
] as const;

type AnyNode = (typeof nodes)[number];
export type NodeType = AnyNode["type"];
type SpecOf<K extends NodeType> = Extract<AnyNode, { type: K }>;

function byType(list: readonly AnyNode[]) {
  const map: Record<string, NodeSpec> = {};
  for (const s of list) {
    if (Object.hasOwn(map, s.type)) throw new Error(`node type '${s.type}' is registered twice`);
    map[s.type] = s as unknown as NodeSpec;
  }
  return map as { [K in NodeType]: SpecOf<K> };
}

export const nodeSpecs = byType(nodes);

export function isNodeType(type: string): type is NodeType {
  return Object.hasOwn(nodeSpecs, type);
}

export function getSpec(type: string): NodeSpec | undefined {
  return isNodeType(type) ? (nodeSpecs[type] as unknown as NodeSpec) : undefined;
}

/** The config of a node the user just added: the schema's defaults, then the node's own. */
export function newNodeConfig(type: NodeType, ctx: NewNodeContext): Record<string, unknown> {
  const spec = getSpec(type)!;
  return spec.config.parse(spec.initialConfig?.(ctx) ?? {}) as Record<string, unknown>;
}
