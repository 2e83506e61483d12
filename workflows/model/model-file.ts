/**
 * The model file: the forest plus everything needed to score raw rows — the fitted
 * clean/feature steps (lineage), feature order and kinds, and class labels. Written by the
 * train node, read by evaluate and by the serving runtime.
 *
 * Histogram forests are stored as a binary forest file with this metadata in its header;
 * ml-random-forest models as JSON.
 */
import type { Lineage, LineageStep } from "~/lib/pipeline/plan";
import { decodeForest, forestAsRead, forestParts, isForestFile, joinParts, readForestExtra } from "./bundle";
import type { FlatForest } from "./flat-forest";
import type { TrainedForest } from "./ml-random-forest";
import type { ReferenceProfile } from "./profile";

export type Label = string | number | boolean;
type Engine = "histogram" | "ml-random-forest";

export interface ModelMeta {
  format: "millrace-model/1";
  engine: Engine;
  task: "classification" | "regression";
  target: string;
  features: string[];
  /** Class labels in index order (classification only). */
  classes: Label[] | null;
  lineage: Lineage;
  trainedRows: number;
  /** Impurity-based importance per feature (histogram engine). */
  importances?: Record<string, number>;
  oobScore?: number | null;
  /** The training set on fixed bins (features and target), for drift; absent on models trained before it existed. */
  profile?: ReferenceProfile;
}

export type ModelFile = ModelMeta & ({ engine: "ml-random-forest"; forest: TrainedForest } | { engine: "histogram"; flat: FlatForest });

/** The model file's bytes as parts to write in order (a forest's arrays are not copied; see bundleParts). */
export function modelParts(file: ModelFile): Uint8Array[] {
  if (file.engine === "histogram") {
    const { flat, ...meta } = file;
    return forestParts(flat, meta as unknown as Record<string, unknown>);
  }
  return [new TextEncoder().encode(JSON.stringify(file))];
}

export const encodeModel = (file: ModelFile): Uint8Array => joinParts(modelParts(file));

/** What `parseModelFile` reads back from the bytes `modelParts(file)` gives, without joining them: the same model, on `file`'s own arrays. */
export function modelAsRead(file: ModelFile, parts: Uint8Array[]): ModelFile {
  if (file.engine !== "histogram") return parseModelFile(joinParts(parts));
  const { forest, extra } = forestAsRead(parts[0]!, file.flat);
  return withUpgradedLineage({ ...(extra as unknown as ModelMeta), engine: "histogram", flat: forest });
}

/**
 * Models written before node types owned their replay steps recorded `{kind: "fill"}` and
 * `{kind: "derive"}`; they still load, as the steps of the nodes that made them.
 */
function upgradeStep(step: LineageStep | { kind: "fill"; values: unknown } | { kind: "derive"; name: string; expression: string }): LineageStep {
  if ("type" in step) return step;
  if (step.kind === "fill") return { type: "fill-missing", params: { values: step.values } };
  return { type: "derive-column", params: { name: step.name, expression: step.expression } };
}

function withUpgradedLineage<T extends ModelMeta>(file: T): T {
  return { ...file, lineage: { ...file.lineage, steps: file.lineage.steps.map(upgradeStep) } };
}

export function parseModelFile(bytes: Uint8Array): ModelFile {
  if (isForestFile(bytes)) {
    const { forest, extra } = decodeForest(bytes);
    return withUpgradedLineage({ ...(extra as unknown as ModelMeta), engine: "histogram", flat: forest });
  }
  const file = JSON.parse(new TextDecoder().decode(bytes)) as ModelFile;
  if (file.format !== "millrace-model/1") throw new Error(`unsupported model format ${String(file.format)}`);
  return withUpgradedLineage({ ...file, engine: file.engine ?? "ml-random-forest" } as ModelFile);
}

/** The metadata of a model file (features, classes, lineage), without loading the model itself. */
export function readModelMeta(bytes: Uint8Array): ModelMeta {
  if (isForestFile(bytes)) return withUpgradedLineage({ ...(readForestExtra(bytes) as unknown as ModelMeta), engine: "histogram" });
  const { forest: _forest, ...meta } = parseModelFile(bytes) as ModelFile & { forest?: unknown };
  return meta;
}
