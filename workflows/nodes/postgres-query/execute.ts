import { describe as describeRelation, parquet, quoteIdent, withDuck, writeParquet } from "~/workflows/data/duck";
import { queryIntoTable } from "~/workflows/data/postgres-source";
import { artifactKey, defineExecutor } from "../executor";
import { spec } from "./spec";

/** Streams the query's rows into DuckDB, then stores them as a Parquet dataset of the run. */
export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config, secret, scratchDir, artifacts, signal, heartbeat } = ctx;
    const connection = await secret(config.connectionSecret);
    const dir = await scratchDir();
    const file = `${dir}/data.parquet`;
    const shape = await withDuck(async (conn) => {
      await queryIntoTable(conn, "source", {
        connection,
        query: config.query,
        timeoutSeconds: config.timeoutSeconds,
        maxRows: config.maxRows,
        expected: config.columns,
        signal,
        heartbeat: () => heartbeat(),
      });
      await writeParquet(conn, `SELECT * FROM ${quoteIdent("source")}`, file);
      return describeRelation(conn, parquet(file));
    });
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), file);
    return {
      outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { rawColumns: shape.columns, steps: [] } } },
      metrics: { rows: shape.rows },
    };
  },
});
