import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { spec, type FillValues } from "./spec";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const file = await artifacts.localPath(src.uri);
  const scratch = await ctx.scratchDir();
  const out = `${scratch}/data.parquet`;

  const targets = (config.columns.length ? config.columns : src.columns.filter((c) => c.nullable).map((c) => c.name))
    .map((name) => {
      const col = src.columns.find((c) => c.name === name);
      if (!col) throw new UserError(`column '${name}' is not in the input`);
      return col;
    })
    .filter((c) => config.strategy === "constant" || c.type === "number");

  return withDuck(async (conn) => {
    const values: FillValues = {};
    if (config.strategy === "constant") {
      for (const c of targets) {
        if (c.type === "number") values[c.name] = config.value;
        else if (c.type === "string") values[c.name] = config.textValue;
      }
    } else if (targets.length) {
      const agg = config.strategy === "mean" ? "avg" : "median";
      const stats = targets.map((c) => `${agg}(${quoteIdent(c.name)})::DOUBLE`).join(", ");
      const row = (await conn.runAndReadAll(`SELECT ${stats} FROM ${parquet(file)}`)).getRowsJS()[0] ?? [];
      targets.forEach((c, i) => {
        const v = row[i];
        if (v === null || v === undefined) throw new UserError(`column '${c.name}' has no values to compute a ${config.strategy} from`);
        values[c.name] = Number(v);
      });
    }
    const replaced = Object.entries(values).map(
      ([name, v]) => `coalesce(${quoteIdent(name)}, ${typeof v === "string" ? quoteString(v) : v}) AS ${quoteIdent(name)}`,
    );
    const select = replaced.length
      ? `SELECT * REPLACE (${replaced.join(", ")}) FROM ${parquet(file)}`
      : `SELECT * FROM ${parquet(file)}`;
    await writeParquet(conn, select, out);
    const shape = await describe(conn, parquet(out), src.columns);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    return {
      outputs: {
        dataset: {
          kind: "dataset",
          uri,
          ...shape,
          lineage: { ...src.lineage, steps: [...src.lineage.steps, lineageStep(spec, { values })] },
        },
      },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
