import { parquet, readColumns, withDuck } from "../../../server/data/duck";
import { trainForestInThread } from "../../ml/train-in-thread";
import type { Label, ModelFile } from "../../ml/model";
import { artifactKey, input, UserError, type Executor } from "../executor";
import type { NodeConfig } from "..";
import { selectFeatures } from "./spec";

export const executeRandomForest: Executor<NodeConfig<"random-forest">> = async (ctx) => {
  const { config, artifacts } = ctx;
  const src = input(ctx, "train", "dataset");
  const features = selectFeatures(config, src.columns);
  if (features.length === 0) throw new UserError("no numeric feature columns to train on");
  const targetCol = src.columns.find((c) => c.name === config.target);
  if (!targetCol) throw new UserError(`target column '${config.target}' is not in the training data`);
  const featureCols = features.map((f) => {
    const c = src.columns.find((col) => col.name === f);
    if (!c) throw new UserError(`feature column '${f}' is not in the training data`);
    if (c.type !== "number") throw new UserError(`feature column '${f}' is ${c.type}, not numeric`);
    return c;
  });

  const file = await artifacts.localPath(src.uri);
  const data = await withDuck((conn) => readColumns(conn, parquet(file), [...featureCols, targetCol]));
  const n = src.rows;
  for (const f of features) {
    const missing = data[f]!.filter((v) => v === null).length;
    if (missing) throw new UserError(`feature column '${f}' has ${missing} missing values; add a Fill missing node before training`);
  }
  const yRaw = data[config.target]!;
  const missingY = yRaw.filter((v) => v === null).length;
  if (missingY) throw new UserError(`target column '${config.target}' has ${missingY} missing values`);

  const X = Array.from({ length: n }, (_, r) => features.map((f) => data[f]![r] as number));
  let classes: Label[] | null = null;
  let y: number[];
  if (config.task === "classification") {
    classes = [...new Set(yRaw as Label[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classes.length < 2) throw new UserError(`target column '${config.target}' has a single class; a classifier needs two or more`);
    const index = new Map(classes.map((c, i) => [c, i]));
    y = (yRaw as Label[]).map((v) => index.get(v)!);
  } else {
    y = yRaw as number[];
  }

  const forest = await trainForestInThread(X, y, config, ctx.signal);
  const model: ModelFile = {
    format: "millrace-model/1",
    task: config.task,
    target: config.target,
    features,
    classes,
    lineage: src.lineage,
    trainedRows: n,
    forest,
  };
  const uri = await artifacts.putBytes(artifactKey(ctx, "model.json"), Buffer.from(JSON.stringify(model)));
  return { outputs: { model: { kind: "model", uri, task: config.task, target: config.target, features } } };
};
