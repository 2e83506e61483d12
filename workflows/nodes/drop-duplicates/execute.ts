import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { comparedColumns, noColumnsMessage, reservedMessage, ROW_NUMBER_COLUMN, spec } from "./spec";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  if (src.columns.some((c) => c.name === ROW_NUMBER_COLUMN)) throw new UserError(reservedMessage);
  const names = comparedColumns(src.columns, config.columns);
  for (const name of names) if (!src.columns.some((c) => c.name === name)) throw new UserError(`column '${name}' is not in the input`);
  if (!names.length) throw new UserError(noColumnsMessage);
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  return withDuck(async (conn) => {
    // PARTITION BY groups missing values together: two rows missing the same field are duplicates.
    await writeParquet(
      conn,
      `SELECT * EXCLUDE (${ROW_NUMBER_COLUMN}) FROM read_parquet(${quoteString(file)}, file_row_number = true)
       QUALIFY row_number() OVER (PARTITION BY ${names.map(quoteIdent).join(", ")} ORDER BY ${ROW_NUMBER_COLUMN}) = 1
       ORDER BY ${ROW_NUMBER_COLUMN}`,
      out,
    );
    const shape = await describe(conn, parquet(out), src.columns);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    return {
      // Rows leave the training data only: at serving a request row is always scored, so no lineage step.
      outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: src.lineage } },
      metrics: { rows_in: src.rows, rows_out: shape.rows, rows_dropped: src.rows - shape.rows },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
