import { UserError } from "~/lib/errors";
import { parseCondition, toSql } from "~/lib/pipeline/expression";
import { describe, parquet, withDuck, writeParquet } from "~/workflows/data/duck";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { conditionProblems, spec } from "./spec";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const expr = parseCondition(config.expression);
  const typeOf = (name: string) => src.columns.find((c) => c.name === name)?.type;
  const problems = conditionProblems(expr, src.columns);
  if (problems.length) throw new UserError(problems.join("; "));
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  return withDuck(async (conn) => {
    // WHERE keeps the rows where the condition is true (not false, not missing), in file order.
    await writeParquet(conn, `SELECT * FROM ${parquet(file)} WHERE ${toSql(expr, typeOf)}`, out);
    const shape = await describe(conn, parquet(out), src.columns);
    if (shape.rows === 0 && src.rows > 0) throw new UserError(`none of the ${src.rows} rows satisfies '${config.expression}'; no row is left`);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    return {
      // Rows leave the training data only: at serving a request row is always scored, so no lineage step.
      outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: src.lineage } },
      metrics: { rows_in: src.rows, rows_out: shape.rows, rows_dropped: src.rows - shape.rows },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
