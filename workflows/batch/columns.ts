/**
 * What batch scoring adds to a dataset and whether a dataset can be scored by a model at all:
 * pure functions shared by the web side (a 400 before anything starts) and the worker.
 */
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { Label, ModelMeta } from "~/workflows/model/model-file";
import type { InputField } from "~/workflows/model/signature";

/**
 * Why `dataset` cannot be scored by a model taking `fields`, one line per column; empty when it
 * can. Columns the model does not read are carried through untouched; optional ones may be absent.
 */
export function scoringProblems(fields: InputField[], dataset: ColumnSchema[], datasetName: string): string[] {
  const byName = new Map(dataset.map((c) => [c.name, c]));
  const problems: string[] = [];
  for (const f of fields) {
    const c = byName.get(f.name);
    if (!c) {
      if (!f.optional) problems.push(`column '${f.name}' (${f.type}) the model needs is not in dataset '${datasetName}'`);
      continue;
    }
    // Booleans read from text are accepted in the source's spellings: each row is checked.
    const spelledBoolean = f.type === "boolean" && c.type === "string" && f.tokens;
    if (c.type !== f.type && !spelledBoolean) {
      problems.push(`column '${f.name}' is a ${c.type} in dataset '${datasetName}' but the model takes a ${f.type}; set its type when uploading, or cast it in a pipeline`);
    } else if (f.kind !== c.kind && (isTemporal(f.kind) || isTemporal(c.kind))) {
      problems.push(`column '${f.name}' holds ${c.kind ?? c.type} values in dataset '${datasetName}' but the model reads a ${f.kind ?? f.type}`);
    } else if (f.format && c.format && f.format !== c.format) {
      problems.push(`column '${f.name}' is written like '${c.format}' in dataset '${datasetName}' but the model reads '${f.format}'`);
    }
  }
  return problems;
}

const isTemporal = (kind: string | undefined) => kind === "date" || kind === "datetime" || kind === "time";

export interface ScoreColumns {
  prediction: string;
  /** Per class label (as text), its probability column. */
  probabilities: { label: string; column: string }[];
  /** The reason a row was not scored (its prediction is then empty). */
  error: string;
}

/**
 * The names of the columns scoring adds: `prediction`, `probability_<class>`, `scoring_error`,
 * each prefixed with `scored_` (again, if need be) when the dataset already has that name.
 */
export function scoreColumns(model: Pick<ModelMeta, "task" | "classes">, dataset: ColumnSchema[], withProbabilities: boolean): ScoreColumns {
  const taken = new Set(dataset.map((c) => c.name.toLowerCase()));
  const free = (name: string) => {
    let n = name;
    while (taken.has(n.toLowerCase())) n = `scored_${n}`;
    taken.add(n.toLowerCase());
    return n;
  };
  const prediction = free("prediction");
  const probabilities =
    withProbabilities && model.task === "classification" ? (model.classes ?? []).map((c) => ({ label: String(c), column: free(`probability_${String(c)}`) })) : [];
  return { prediction, probabilities, error: free("scoring_error") };
}

/** The SQL type of the prediction column: the labels' own type (a regression's is a number). */
export function predictionType(model: Pick<ModelMeta, "task" | "classes">): "DOUBLE" | "BOOLEAN" | "VARCHAR" {
  if (model.task === "regression") return "DOUBLE";
  const classes: Label[] = model.classes ?? [];
  if (classes.length && classes.every((c) => typeof c === "number")) return "DOUBLE";
  if (classes.length && classes.every((c) => typeof c === "boolean")) return "BOOLEAN";
  return "VARCHAR";
}

/** How many chunks a dataset of `rows` rows is scored in. */
export const chunkCount = (rows: number, chunkRows: number) => Math.max(1, Math.ceil(rows / chunkRows));

/** Where a job's files live in the artifact store: one part per chunk, then the joined result. */
export const partKey = (batchId: string, index: number) => `batch/${batchId}/part-${String(index).padStart(5, "0")}.parquet`;
export const resultKey = (batchId: string, format: "csv" | "parquet") => `batch/${batchId}/scored.${format}`;
