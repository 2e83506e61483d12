import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { boundsFor, clipped, spec, type Bounds } from "./spec";

/** A double as SQL, exactly: the shortest text that reads back as the same number. */
const double = (x: number) => `${quoteString(String(x))}::DOUBLE`;

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const { columns, errors } = clipped(config, src.columns);
  if (errors.length) throw new UserError(errors.map((e) => e.message).join("; "));
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  const value = (name: string) => `${quoteIdent(name)}::DOUBLE`;
  return withDuck(async (conn) => {
    const bounds: Bounds["bounds"] = {};
    if (config.method === "quantiles") {
      // NaN sorts above every number in DuckDB: left out, it cannot become a bound.
      const stats = columns.flatMap((c) =>
        [config.lowerQuantile, config.upperQuantile].map((q) => `quantile_cont(${value(c.name)}, ${q}) FILTER (WHERE NOT isnan(${value(c.name)}))`),
      );
      const row = (await conn.runAndReadAll(`SELECT ${stats.join(", ")} FROM ${parquet(file)}`)).getRowsJS()[0] ?? [];
      columns.forEach((c, i) => {
        const [lo, hi] = [row[2 * i], row[2 * i + 1]];
        if (lo === null || lo === undefined || hi === null || hi === undefined) throw new UserError(`column '${c.name}' has no values to fit bounds on`);
        bounds[c.name] = boundsFor(c, Number(lo), Number(hi));
      });
    } else {
      for (const c of columns) bounds[c.name] = boundsFor(c, config.lower ?? null, config.upper ?? null);
    }
    const clip = Object.entries(bounds).map(([name, { lower, upper }]) => {
      const x = value(name);
      const cases: string[] = [];
      const outside: string[] = [];
      if (lower !== null) {
        cases.push(`WHEN ${x} < ${double(lower)} THEN ${double(lower)}`);
        outside.push(`${x} < ${double(lower)}`);
      }
      if (upper !== null) {
        // NaN is above every number to DuckDB; it stays NaN, as in JS.
        cases.push(`WHEN ${x} > ${double(upper)} AND NOT isnan(${x}) THEN ${double(upper)}`);
        outside.push(`(${x} > ${double(upper)} AND NOT isnan(${x}))`);
      }
      return { name, sql: `CASE ${cases.join(" ")} ELSE ${x} END`, outside: `count(*) FILTER (WHERE ${outside.join(" OR ")})` };
    });
    const counted = (await conn.runAndReadAll(`SELECT ${clip.map((c) => c.outside).join(" + ")} FROM ${parquet(file)}`)).getRowsJS()[0]?.[0];
    const replaced = clip.map((c) => `${c.sql} AS ${quoteIdent(c.name)}`);
    await writeParquet(conn, `SELECT * REPLACE (${replaced.join(", ")}) FROM ${parquet(file)}`, out);
    const shape = await describe(conn, parquet(out), src.columns);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    const step = lineageStep(spec, { bounds });
    return {
      outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps: [...src.lineage.steps, step] } } },
      metrics: { values_clipped: Number(counted ?? 0) },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
