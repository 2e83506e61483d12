import { UserError } from "~/lib/errors";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet, type Duck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { plan, spec, type FillStrategy, type FillValues } from "./spec";

const sqlValue = (v: number | string | boolean) => (typeof v === "string" ? quoteString(v) : String(v));

/** The value each fill stands for: the constant, or the statistic over the rows that will be kept. */
async function fitValues(conn: Duck, relation: string, fills: { column: { name: string; type: string }; strategy: FillStrategy }[], config: { value: number; textValue: string }) {
  const values: FillValues = {};
  const fitted = fills.filter((f) => f.strategy !== "constant");
  for (const f of fills) if (f.strategy === "constant") values[f.column.name] = f.column.type === "number" ? config.value : config.textValue;
  if (!fitted.length) return values;
  const agg = (f: (typeof fitted)[number]) => {
    const c = quoteIdent(f.column.name);
    // Most frequent: ties go to the smallest value, as scikit-learn's SimpleImputer does.
    if (f.strategy === "most_frequent") return `(SELECT ${c} FROM ${relation} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY count(*) DESC, ${c} LIMIT 1)`;
    return `${f.strategy === "mean" ? "avg" : "median"}(${c})::DOUBLE`;
  };
  const row = (await conn.runAndReadAll(`SELECT ${fitted.map(agg).join(", ")} FROM ${relation}`)).getRowsJS()[0] ?? [];
  fitted.forEach((f, i) => {
    const v = row[i];
    if (v === null || v === undefined) throw new UserError(`column '${f.column.name}' has no values to compute a ${f.strategy.replace("_", " ")} from`);
    values[f.column.name] = typeof v === "bigint" ? Number(v) : (v as number | string | boolean);
  });
  return values;
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  for (const name of config.columns) if (!src.columns.some((c) => c.name === name)) throw new UserError(`column '${name}' is not in the input`);
  const { target, fills } = plan(config, src.columns);
  if (config.target && !src.columns.some((c) => c.name === config.target)) throw new UserError(`target column '${config.target}' is not in the input`);
  if (config.columns.includes(target)) throw new UserError(`'${target}' is the target; it is never filled`);
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;

  return withDuck(async (conn) => {
    // Rows without a target are dropped (or refused) before anything is fitted on them.
    let kept = parquet(file);
    let dropped = 0;
    if (target) {
      const [row] = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE ${quoteIdent(target)} IS NULL)::DOUBLE FROM ${kept}`)).getRowsJS();
      dropped = Number(row?.[0] ?? 0);
      if (dropped && config.missingTarget === "fail") throw new UserError(`target column '${target}' has ${dropped} missing values; choose "drop" to train on the other rows`);
      if (dropped === src.rows) throw new UserError(`target column '${target}' has no values`);
      if (dropped) kept = `(SELECT * FROM ${kept} WHERE ${quoteIdent(target)} IS NOT NULL)`;
    }
    const values = await fitValues(conn, kept, fills, config);
    const replaced = Object.entries(values).map(([name, v]) => `coalesce(${quoteIdent(name)}, ${sqlValue(v)}) AS ${quoteIdent(name)}`);
    await writeParquet(conn, replaced.length ? `SELECT * REPLACE (${replaced.join(", ")}) FROM ${kept}` : `SELECT * FROM ${kept}`, out);
    const shape = await describe(conn, parquet(out), src.columns);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    return {
      outputs: {
        dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps: [...src.lineage.steps, lineageStep(spec, { values })] } },
      },
      metrics: { rows_out: shape.rows, rows_dropped_missing_target: dropped, columns_filled: Object.keys(values).length },
    };
  });
}

export const executor = defineExecutor(spec, { execute });
