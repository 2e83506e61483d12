/**
 * The model file: the forest plus everything needed to score raw rows — the fitted
 * clean/feature steps (lineage), feature order and class labels. Written by the train
 * node, read by evaluate and by the serving runtime.
 */
import { evaluate, parseExpression, type Expr } from "../nodes/derive-column/expression";
import type { Lineage, TransformStep } from "../plan";
import { loadForest, type TrainedForest } from "./forest";

export type Label = string | number | boolean;

export interface ModelFile {
  format: "millrace-model/1";
  task: "classification" | "regression";
  target: string;
  features: string[];
  /** Class labels in index order (classification only). */
  classes: Label[] | null;
  lineage: Lineage;
  trainedRows: number;
  forest: TrainedForest;
}

export type Row = Record<string, unknown>;

export interface LoadedModel {
  file: ModelFile;
  /** Applies the fitted clean and feature steps to raw rows (new objects; inputs untouched). */
  transform(rows: Row[]): Row[];
  /** Predicts from rows that already hold every feature column. */
  predictPrepared(rows: Row[]): Label[];
  /** Raw rows in, predictions out: what an endpoint does. */
  predict(rows: Row[]): Label[];
}

type CompiledStep = { kind: "fill"; values: Record<string, Label> } | { kind: "derive"; name: string; expr: Expr };

const compileStep = (s: TransformStep): CompiledStep =>
  s.kind === "fill" ? s : { kind: "derive", name: s.name, expr: parseExpression(s.expression) };

export function loadModel(file: ModelFile): LoadedModel {
  const steps = file.lineage.steps.map(compileStep);
  const forest = loadForest(file.forest);
  const transform = (rows: Row[]) =>
    rows.map((raw) => {
      const row: Row = { ...raw };
      for (const s of steps) {
        if (s.kind === "fill") {
          for (const [col, v] of Object.entries(s.values)) if (row[col] === null || row[col] === undefined) row[col] = v;
        } else {
          row[s.name] = evaluate(s.expr, row);
        }
      }
      return row;
    });
  const predictPrepared = (rows: Row[]): Label[] => {
    const X = rows.map((row, r) =>
      file.features.map((f) => {
        const v = row[f];
        if (v === null || v === undefined || Number.isNaN(Number(v))) {
          throw new MissingFeatureError(`row ${r}: feature '${f}' is missing after the pipeline's cleaning steps`);
        }
        return Number(v);
      }),
    );
    const raw = forest.predict(X);
    return file.task === "classification" ? raw.map((i) => file.classes![i]!) : raw;
  };
  return { file, transform, predictPrepared, predict: (rows) => predictPrepared(transform(rows)) };
}

/** A row that cannot be scored because a feature is missing (the caller's data, not a bug). */
export class MissingFeatureError extends Error {
  override name = "MissingFeatureError";
}

export function parseModelFile(bytes: Buffer | string): ModelFile {
  const file = JSON.parse(bytes.toString()) as ModelFile;
  if (file.format !== "millrace-model/1") throw new Error(`unsupported model format ${String(file.format)}`);
  return file;
}
