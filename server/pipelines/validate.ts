import type { Db } from "../../db/client";
import { compile } from "../../workflows/compile";
import type { PipelineGraph } from "../../workflows/graph";
import { datasetColumnsMap } from "../datasets/service";

/** Compiles a graph against the datasets stored now. */
export async function compileWithDatasets(db: Db, graph: PipelineGraph) {
  const datasets = await datasetColumnsMap(db);
  return compile(graph, { datasetColumns: (id) => datasets.get(id) });
}
