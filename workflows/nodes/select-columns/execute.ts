import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, withDuck, writeParquet } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { selection, spec } from "./spec";

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const { columns, rename, errors } = selection(config, src.columns);
  if (errors.length) throw new UserError(errors.map((e) => e.message).join("; "));
  const sources = Object.fromEntries(Object.entries(rename).map(([old, neu]) => [neu, old]));
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  return withDuck(async (conn) => {
    const list = columns.map((c) => {
      const old = sources[c.name];
      return old ? `${quoteIdent(old)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name);
    });
    await writeParquet(conn, `SELECT ${list.join(", ")} FROM ${parquet(file)}`, out);
    // The renamed columns keep what the user said about them (kind, role) under their new names.
    const shape = await describe(conn, parquet(out), columns);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    const steps = Object.keys(rename).length ? [...src.lineage.steps, lineageStep(spec, { rename })] : src.lineage.steps;
    return { outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps } } } };
  });
}

export const executor = defineExecutor(spec, { execute });
