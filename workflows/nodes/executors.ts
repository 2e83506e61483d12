/**
 * Node type → executor. Worker-only (executors do I/O). The `satisfies` clause makes the
 * type checker reject a node type that is registered in `index.ts` but has no executor here.
 */
import type { NodeConfig, NodeType } from ".";
import { executeCsvDataset } from "./csv-dataset/execute";
import { executeDeployEndpoint } from "./deploy-endpoint/execute";
import { executeDeriveColumn } from "./derive-column/execute";
import { executeEvaluate } from "./evaluate/execute";
import type { NodeExecutor } from "./executor";
import { executeFillMissing } from "./fill-missing/execute";
import { executeMonitorEndpoint } from "./monitor-endpoint/execute";
import { randomForestExecutor } from "./random-forest/execute";
import { executeTrainTestSplit } from "./train-test-split/execute";

export const executors = {
  "csv-dataset": executeCsvDataset,
  "fill-missing": executeFillMissing,
  "derive-column": executeDeriveColumn,
  "train-test-split": executeTrainTestSplit,
  "random-forest": randomForestExecutor,
  evaluate: executeEvaluate,
  "deploy-endpoint": executeDeployEndpoint,
  "monitor-endpoint": executeMonitorEndpoint,
} satisfies { [K in NodeType]: NodeExecutor<NodeConfig<K>> };
