/**
 * The demo: a dataset in the shape of the classic tutorial (numeric feature_1..feature_4 with
 * some missing values, binary target) and the demo pipeline over it. Pure data, so tests,
 * benchmarks and the seed share it.
 */
import type { PipelineDocument } from "../pipeline/document";
import { mulberry32 } from "../random";

export const DEMO_DATASET_NAME = "demo-classification";
const DEMO_PIPELINE_NAME = "Demo: random forest classifier";

/** Deterministic CSV: the target mostly follows feature_1 * feature_2 and feature_3. */
export function demoCsv(rows = 600, seed = 7): string {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const lines = ["feature_1,feature_2,feature_3,feature_4,target"];
  for (let i = 0; i < rows; i++) {
    const f = [gauss(), gauss(), gauss(), rand() * 10];
    const score = f[0]! * f[1]! + 0.8 * f[2]! + 0.3 * gauss();
    const target = score > 0 ? 1 : 0;
    const cells = f.map((v, j) => (j < 3 && rand() < 0.04 ? "" : v.toFixed(4)));
    lines.push([...cells, target].join(","));
  }
  return lines.join("\n") + "\n";
}

export function demoPipeline(datasetId: string): PipelineDocument {
  const node = (id: string, type: string, x: number, y: number, config: Record<string, unknown>) => ({
    id,
    type,
    config,
    position: { x, y },
  });
  const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
    source,
    sourceHandle,
    target,
    targetHandle,
  });
  // Two rows of four, so the whole pipeline reads at the zoom that fits it on a laptop screen.
  return {
    name: DEMO_PIPELINE_NAME,
    nodes: [
      node("ingest", "csv-dataset", 0, 0, { datasetId }),
      node("clean", "fill-missing", 260, 0, { strategy: "constant", value: 0 }),
      node("feature", "derive-column", 520, 0, { name: "new_feature", expression: "feature_1 * feature_2" }),
      node("split", "train-test-split", 780, 0, { testFraction: 0.2, seed: 42 }),
      node("train", "random-forest", 0, 190, { task: "classification", target: "target", nEstimators: 100, seed: 42 }),
      node("evaluate", "evaluate", 260, 190, {}),
      node("deploy", "deploy-endpoint", 520, 190, { slug: "demo-model", access: "public" }),
      node("monitor", "monitor-endpoint", 780, 190, { trackPredictions: true }),
    ],
    edges: [
      edge("ingest", "dataset", "clean", "dataset"),
      edge("clean", "dataset", "feature", "dataset"),
      edge("feature", "dataset", "split", "dataset"),
      edge("split", "train", "train", "train"),
      edge("train", "model", "evaluate", "model"),
      edge("split", "test", "evaluate", "test"),
      edge("train", "model", "deploy", "model"),
      edge("evaluate", "metrics", "deploy", "metrics"),
      edge("deploy", "endpoint", "monitor", "endpoint"),
    ],
  };
}
