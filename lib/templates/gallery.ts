/**
 * Ready pipelines over bundled public sample datasets: "new from template" makes the dataset (once
 * per workspace) and a pipeline that runs as it is. Pure: the server reads the files.
 */
import type { ColumnChoice } from "../pipeline/ingest";
import type { PipelineDocument } from "../pipeline/document";

export interface Template {
  id: string;
  title: string;
  description: string;
  /** The bundled CSV (server/templates/data/<file>), its dataset name, and the roles to give it. */
  dataset: { file: string; name: string; source: string; columns: Record<string, ColumnChoice> };
  pipeline(datasetId: string, slug: string): PipelineDocument;
}

type Step = [id: string, type: string, config: Record<string, unknown>];

/** A chain of dataset nodes, a split, a forest, evaluate and deploy, laid out in two rows. */
function chain(name: string, datasetId: string, steps: Step[], train: Record<string, unknown>, slug: string): PipelineDocument {
  const all: Step[] = [["ingest", "csv-dataset", { datasetId }], ...steps, ["split", "train-test-split", {}]];
  const nodes = [
    ...all.map(([id, type, config], i) => ({ id, type, config, position: { x: i * 260, y: 0 } })),
    { id: "train", type: "random-forest", config: train, position: { x: 0, y: 190 } },
    { id: "evaluate", type: "evaluate", config: {}, position: { x: 260, y: 190 } },
    { id: "deploy", type: "deploy-endpoint", config: { slug }, position: { x: 520, y: 190 } },
  ];
  const edges = all.slice(1).map(([id], i) => ({ source: all[i]![0], sourceHandle: "dataset", target: id, targetHandle: "dataset" }));
  edges.push(
    { source: "split", sourceHandle: "train", target: "train", targetHandle: "train" },
    { source: "split", sourceHandle: "test", target: "evaluate", targetHandle: "test" },
    { source: "train", sourceHandle: "model", target: "evaluate", targetHandle: "model" },
    { source: "train", sourceHandle: "final", target: "deploy", targetHandle: "model" },
    { source: "evaluate", sourceHandle: "metrics", target: "deploy", targetHandle: "metrics" },
  );
  return { name, nodes, edges };
}

/**
 * A chain whose dataset is a run parameter, watched after deploy by a monitor that retrains on
 * drift: the loop retrains on the newest upload under the dataset's name.
 */
function watched(name: string, datasetId: string, steps: Step[], train: Record<string, unknown>, slug: string): PipelineDocument {
  const doc = chain(name, datasetId, steps, train, slug);
  doc.parameters = [{ name: "data", type: "dataset", default: datasetId, description: "the table to train on (retraining takes the newest upload under its name)" }];
  doc.nodes.find((n) => n.id === "ingest")!.config = { datasetId: { $param: "data" } };
  doc.nodes.push({ id: "monitor", type: "monitor-endpoint", config: { windowMinutes: 60, onAlarm: "retrain", gateMargin: 0.01, shadowRequests: 500, shadowMinutes: 60 }, position: { x: 780, y: 190 } });
  doc.edges.push({ source: "deploy", sourceHandle: "endpoint", target: "monitor", targetHandle: "endpoint" });
  return doc;
}

/** Split, then a cross-validated forest chooses its settings on the train side; evaluate scores it on the test side; deploy. */
function selected(name: string, datasetId: string, steps: Step[], cv: Record<string, unknown>, slug: string): PipelineDocument {
  const doc = chain(name, datasetId, steps, {}, slug);
  const train = doc.nodes.find((n) => n.id === "train")!;
  doc.nodes.splice(doc.nodes.indexOf(train), 1, { id: "select", type: "cross-validate", config: cv, position: train.position });
  doc.edges = doc.edges.map((e) => ({
    ...e,
    ...(e.source === "train" ? { source: "select", sourceHandle: "model" } : {}),
    ...(e.target === "train" ? { target: "select" } : {}),
  }));
  return doc;
}

const PENGUIN_FEATURES = ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"];

/**
 * Train on the penguins measured in 2007–2008 (with a held-out score), then score the 2009 penguins
 * as a new, unlabelled table: the species column dropped, the model's own filling of gaps replayed.
 */
function penguinsBatch(datasetId: string): PipelineDocument {
  const at = (x: number, y: number) => ({ position: { x: x * 260, y: y * 190 } });
  const nodes = [
    { id: "ingest", type: "csv-dataset", config: { datasetId }, ...at(0, 0) },
    { id: "older", type: "filter-rows", config: { expression: "year < 2009" }, ...at(1, 0) },
    { id: "fill", type: "fill-missing", config: { strategy: "median", textStrategy: "most_frequent" }, ...at(2, 0) },
    { id: "split", type: "train-test-split", config: {}, ...at(3, 0) },
    { id: "train", type: "random-forest", config: { features: PENGUIN_FEATURES }, ...at(3, 1) },
    { id: "evaluate", type: "evaluate", config: {}, ...at(4, 1) },
    { id: "newest", type: "filter-rows", config: { expression: "year == 2009" }, ...at(1, 2) },
    { id: "unlabelled", type: "select-columns", config: { mode: "drop", columns: ["species"] }, ...at(2, 2) },
    { id: "score", type: "batch-score", config: {}, ...at(4, 2) },
  ];
  const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });
  return {
    name: "Penguin species, batch scored",
    nodes,
    edges: [
      edge("ingest", "dataset", "older", "dataset"),
      edge("older", "dataset", "fill", "dataset"),
      edge("fill", "dataset", "split", "dataset"),
      edge("split", "train", "train", "train"),
      edge("train", "model", "evaluate", "model"),
      edge("split", "test", "evaluate", "test"),
      edge("ingest", "dataset", "newest", "dataset"),
      edge("newest", "dataset", "unlabelled", "dataset"),
      edge("train", "model", "score", "model"),
      edge("unlabelled", "dataset", "score", "dataset"),
    ],
  };
}

export const templates: Template[] = [
  {
    id: "penguins-species",
    title: "Penguin species (multi-class)",
    description: "Palmer penguins: text categories and missing values written NA; a forest tells Adélie, Chinstrap and Gentoo apart.",
    dataset: { file: "penguins.csv", name: "palmer-penguins", source: "Palmer Station LTER via the palmerpenguins package (CC0)", columns: { species: { role: "target" } } },
    pipeline: (datasetId, slug) => chain("Penguin species", datasetId, [["fill", "fill-missing", { strategy: "median", textStrategy: "most_frequent" }]], {}, slug),
  },
  {
    id: "penguins-watched",
    title: "Penguin species, watched and retrained",
    description:
      "The penguin classifier deployed and monitored: drift per feature against training; on an alarm it retrains on the newest upload of palmer-penguins, gates the new model against the served one, shadows it, then promotes or keeps.",
    dataset: { file: "penguins.csv", name: "palmer-penguins", source: "Palmer Station LTER via the palmerpenguins package (CC0)", columns: { species: { role: "target" } } },
    pipeline: (datasetId, slug) => watched("Penguin species, watched", datasetId, [["fill", "fill-missing", { strategy: "median", textStrategy: "most_frequent" }]], {}, slug),
  },
  {
    id: "breast-cancer",
    title: "Tumour diagnosis (binary)",
    description: "Wisconsin breast cancer: 30 numeric measurements, benign or malignant; ROC and precision–recall curves on the run page.",
    dataset: { file: "breast-cancer.csv", name: "breast-cancer-wisconsin", source: "UCI ML repository, as bundled with scikit-learn", columns: { diagnosis: { role: "target" } } },
    pipeline: (datasetId, slug) => chain("Tumour diagnosis", datasetId, [["scale", "scale", {}]], {}, slug),
  },
  {
    id: "diabetes-progression",
    title: "Disease progression (regression)",
    description: "Diabetes: ten baseline variables predict a disease progression score a year later; RMSE, R² and residuals.",
    dataset: { file: "diabetes.csv", name: "diabetes-progression", source: "Efron et al. (2004), as bundled with scikit-learn", columns: { progression: { role: "target" } } },
    pipeline: (datasetId, slug) => chain("Disease progression", datasetId, [["bmi-bp", "derive-column", { name: "bmi_x_bp", expression: "bmi * bp" }]], { task: "regression" }, slug),
  },
  {
    id: "breast-cancer-cv",
    title: "Tumour diagnosis, settings chosen by cross-validation",
    description:
      "Wisconsin breast cancer: six forest settings (depth, leaf size) scored by 5-fold stratified cross-validation on the train side, the best ROC AUC refitted, scored on the held-out test side and deployed; the CV table on the run page.",
    dataset: { file: "breast-cancer.csv", name: "breast-cancer-wisconsin", source: "UCI ML repository, as bundled with scikit-learn", columns: { diagnosis: { role: "target" } } },
    // No cleaning: the measurements have no gaps, and forests need no scaling.
    pipeline: (datasetId, slug) => selected("Tumour diagnosis, cross-validated", datasetId, [], { metric: "roc_auc" }, slug),
  },
  {
    id: "penguins-batch",
    title: "Penguin species, batch scored",
    description:
      "Palmer penguins: a forest trained on the 2007–2008 measurements scores the 2009 penguins as a new table without the species column, replaying its filling of gaps as an endpoint would; the scored rows (prediction and a probability per species) download from the run page.",
    dataset: { file: "penguins.csv", name: "palmer-penguins", source: "Palmer Station LTER via the palmerpenguins package (CC0)", columns: { species: { role: "target" } } },
    pipeline: (datasetId) => penguinsBatch(datasetId),
  },
];

export const findTemplate = (id: string) => templates.find((t) => t.id === id);
