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
];

export const findTemplate = (id: string) => templates.find((t) => t.id === id);
