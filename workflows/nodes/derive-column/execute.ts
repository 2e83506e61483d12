import { UserError } from "~/lib/errors";
import { parseExpression, referencedColumns, toSql } from "~/lib/pipeline/expression";
import { describe, parquet, quoteIdent, withDuck, writeParquet } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input } from "../executor";
import { spec } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config, artifacts } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const expr = parseExpression(config.expression);
    for (const name of referencedColumns(expr)) {
      if (!src.columns.some((c) => c.name === name)) throw new UserError(`column '${name}' is not in the input`);
    }
    if (src.columns.some((c) => c.name === config.name)) throw new UserError(`column '${config.name}' already exists`);
    const file = await artifacts.localPath(src.uri);
    const out = `${await ctx.scratchDir()}/data.parquet`;
    return withDuck(async (conn) => {
      await writeParquet(conn, `SELECT *, ${toSql(expr)} AS ${quoteIdent(config.name)} FROM ${parquet(file)}`, out);
      const shape = await describe(conn, parquet(out), src.columns);
      const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
      const step = lineageStep(spec, { name: config.name, expression: config.expression });
      return {
        outputs: {
          dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps: [...src.lineage.steps, step] } },
        },
      };
    });
  },
});
