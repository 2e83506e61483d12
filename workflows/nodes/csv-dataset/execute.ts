import { and, eq } from "drizzle-orm";
import { datasets } from "~/db/schema";
import { UserError } from "~/lib/errors";
import { defineExecutor } from "../executor";
import { spec } from "./spec";

/** Datasets are already Parquet in the artifact store; ingest only hands out the reference. */
export const executor = defineExecutor(spec, {
  async execute({ db, config, workspaceId, log }) {
    // Only datasets of the run's own workspace can be read.
    const [ds] = await db
      .select()
      .from(datasets)
      .where(and(eq(datasets.id, config.datasetId), eq(datasets.workspaceId, workspaceId)));
    if (!ds) throw new UserError(`dataset ${config.datasetId} does not exist`);
    log(`read dataset '${ds.name}'`, { rows: ds.rows, columns: ds.columns.length });
    return {
      outputs: {
        dataset: {
          kind: "dataset",
          uri: ds.artifactUri,
          rows: ds.rows,
          columns: ds.columns,
          lineage: { rawColumns: ds.columns, steps: [] },
        },
      },
    };
  },
});
