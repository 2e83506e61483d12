import { z } from "zod";
import { defineNode } from "../define";

export const spec = defineNode({
  type: "csv-dataset",
  label: "CSV dataset",
  stage: "ingest",
  description: "Reads an uploaded CSV dataset.",
  config: z.object({
    datasetId: z.string().default("").meta({ title: "Dataset", widget: "dataset" }),
  }),
  inputs: {},
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, datasetColumns }) => {
    if (!config.datasetId) return { errors: [{ path: "datasetId", message: "choose a dataset" }] };
    const columns = datasetColumns(config.datasetId);
    if (!columns) return { errors: [{ path: "datasetId", message: `dataset ${config.datasetId} does not exist` }] };
    return { outputs: { dataset: columns } };
  },
});
