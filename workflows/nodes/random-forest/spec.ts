import { z } from "zod";
import { isDateKind } from "~/lib/pipeline/dates";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { isFeature, targetColumn } from "../columns";
import { defineNode, findColumn, metricsPanels, type Panel } from "../define";

export const engines = ["histogram", "ml-random-forest"] as const;

/** The node's metrics under this prefix are feature importances (the run page draws them). */
export const IMPORTANCE_PREFIX = "importance:";

export const spec = defineNode({
  type: "random-forest",
  label: "Random forest",
  stage: "train",
  description:
    "Trains a random forest classifier or regressor. The histogram engine handles text (categorical) columns and missing values itself. Connect the split's input to 'All rows (refit)' to deploy a model refitted on every row once evaluation is done ('Final model'; without it, the same model as 'Model', which evaluate scores).",
  config: z.object({
    task: z.enum(["classification", "regression"]).default("classification").meta({ title: "Task" }),
    target: z.string().default("").meta({ title: "Target column", description: "Empty means the column the dataset marks as its target.", widget: "column" }),
    features: z
      .array(z.string())
      .default([])
      .meta({
        title: "Feature columns",
        description: "Empty means every other column marked as a feature (not IDs, ignored columns, or raw dates: use Date parts for those).",
        widget: "columns",
      }),
    nEstimators: z.number().int().min(1).max(2000).default(100).meta({ title: "Trees" }),
    maxDepth: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(0)
      .meta({ title: "Max depth", description: "0 = unlimited: grow until leaves are pure or hold the minimum rows (scikit-learn's default)" }),
    minSamplesLeaf: z.number().int().min(1).default(1).meta({ title: "Min rows per leaf", description: "The brake on unlimited depth: raise it for smoother, smaller trees", visibleWhen: { engine: ["histogram"] } }),
    maxFeatures: z
      .string()
      .regex(/^(auto|sqrt|log2|all|[1-9]\d*|0?\.\d*[1-9]\d*|1\.0*)$/, "use auto, sqrt, log2, all, a fraction like 0.5, or a count like 5")
      .default("auto")
      .meta({ title: "Features per split", description: "auto = sqrt for classifiers, all for regressors" }),
    classWeight: z.enum(["none", "balanced"]).default("none").meta({ title: "Class weights", visibleWhen: { task: ["classification"], engine: ["histogram"] } }),
    oobScore: z.boolean().default(false).meta({ title: "Out-of-bag score", visibleWhen: { engine: ["histogram"] } }),
    engine: z.enum(engines).default("histogram").meta({ title: "Engine" }),
    slices: z
      .number()
      .int()
      .min(0)
      .max(64)
      .default(0)
      .meta({ title: "Parallel slices", description: "Split training across workers: 0 = automatic (large data), 1 = never", visibleWhen: { engine: ["histogram"] } }),
    seed: z.number().int().default(42).meta({ title: "Seed" }),
  }),
  inputs: {
    train: { type: "dataset", label: "Train set" },
    refit: { type: "dataset", label: "All rows (refit)", optional: true },
  },
  outputs: {
    model: { type: "model", label: "Model" },
    final: { type: "model", label: "Final model" },
  },
  infer: ({ config, inputs }) => {
    const cols = inputs.train;
    if (!cols) return {};
    const errors: { path: string; message: string }[] = [];
    const refit = inputs.refit;
    if (refit && (refit.length !== cols.length || refit.some((c, i) => c.name !== cols[i]!.name || c.type !== cols[i]!.type))) {
      errors.push({ path: "inputs.refit", message: "the rows to refit on must have the train set's columns (connect the dataset the split divides)" });
    }
    const targetName = targetColumn(config.target, cols);
    const target = targetName ? findColumn(cols, targetName) : undefined;
    if (!targetName) errors.push({ path: "target", message: "choose the target column (the dataset marks none as its target)" });
    else if (!target) errors.push({ path: "target", message: `column '${config.target}' is not in the input` });
    else if (config.task === "regression" && target.type !== "number")
      errors.push({ path: "target", message: `regression needs a numeric target; '${targetName}' is ${target.type}` });
    else if (config.task === "classification" && target.kind === "float")
      errors.push({ path: "task", message: `'${targetName}' holds decimal numbers: a classifier would learn one class per value. Set Task to regression (or the column's kind to categorical)` });
    config.features.forEach((name, i) => {
      const col = findColumn(cols, name);
      if (!col) errors.push({ path: `features.${i}`, message: `column '${name}' is not in the input` });
      else if (col.type !== "number" && config.engine === "ml-random-forest")
        errors.push({ path: `features.${i}`, message: `column '${name}' is ${col.type}; the ml-random-forest engine takes numbers only` });
      else if (name === targetName) errors.push({ path: `features.${i}`, message: `'${name}' is the target` });
    });
    return { errors };
  },
  summary: (config) => `${config.task} · ${config.nEstimators} trees → ${config.target || "the dataset's target"}`,
  present: ({ metrics }) => {
    if (!metrics) return [];
    const importances: { label: string; value: number }[] = [];
    const rest: Record<string, number> = {};
    for (const [k, v] of Object.entries(metrics)) {
      if (k.startsWith(IMPORTANCE_PREFIX)) importances.push({ label: k.slice(IMPORTANCE_PREFIX.length), value: v });
      else rest[k] = v;
    }
    const panels: Panel[] = metricsPanels(rest, Object.keys(rest).filter((k) => k !== "train_seconds"));
    if (importances.length) {
      importances.sort((a, b) => b.value - a.value);
      panels.push({ kind: "bars", title: "Feature importance", items: importances.slice(0, 12), format: "percent" });
    }
    return panels;
  },
});

/**
 * The feature columns a config selects: the ones it names, or every column but the target
 * whose role is feature (ID and ignored columns are left out unless named). Dates, timestamps and
 * times are left out too: as text every value would be its own category; a Date parts node
 * turns them into features.
 */
export function selectFeatures(config: { features: string[]; engine: (typeof engines)[number] }, target: string, cols: ColumnSchema[]) {
  if (config.features.length) return config.features;
  return cols
    .filter((c) => c.name !== target && isFeature(c) && !isDateKind(c.kind) && (config.engine === "histogram" || c.type === "number"))
    .map((c) => c.name);
}
