import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, withDuck, writeParquet } from "~/workflows/data/duck";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { checkedColumns, spec } from "./spec";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const names = checkedColumns(src.columns, config.columns);
  for (const name of names) if (!src.columns.some((c) => c.name === name)) throw new UserError(`column '${name}' is not in the input`);
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  return withDuck(async (conn) => {
    // A filter keeps the rows in file order (DuckDB preserves insertion order).
    const where = names.length ? ` WHERE ${names.map((n) => `${quoteIdent(n)} IS NOT NULL`).join(" AND ")}` : "";
    await writeParquet(conn, `SELECT * FROM ${parquet(file)}${where}`, out);
    const shape = await describe(conn, parquet(out), src.columns);
    if (shape.rows === 0 && src.rows > 0) {
      const listed = names.length > 10 ? `${names.slice(0, 10).join(", ")} and ${names.length - 10} more` : names.join(", ");
      throw new UserError(`every one of the ${src.rows} rows has a missing value in ${listed}; no row is left`);
    }
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    return {
      // Rows leave the training data only: at serving a request row is always scored, so no lineage step.
      outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: src.lineage } },
      metrics: { rows_in: src.rows, rows_out: shape.rows, rows_dropped: src.rows - shape.rows },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
