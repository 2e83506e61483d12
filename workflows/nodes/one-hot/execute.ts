import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef, LineageStep } from "~/lib/pipeline/plan";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet, type Duck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ExecContext, type ExecResult } from "../executor";
import { isCategorical, notText, numberColumn, oneHotValues, OTHER, pickColumns, spec, type OneHotColumn, type Problem } from "./spec";

// Shared by the executors of the feature nodes (see the note in ./spec.ts).

/** A config problem the compiler would have named, found on the data that arrived: the run fails on the first. */
export function failOn(errors: Problem[]) {
  if (errors[0]) throw new UserError(errors[0].message);
}

/**
 * Writes the rows `select` returns as the node's dataset: described like `written` and the input
 * (kinds and roles survive), its lineage one step longer.
 */
export async function writeDataset(
  ctx: Pick<ExecContext<unknown>, "artifacts" | "scratchDir" | "runId" | "nodeId">,
  conn: Duck,
  src: DatasetRef,
  select: string,
  written: ColumnSchema[],
  step: LineageStep,
): Promise<ExecResult> {
  const out = `${await ctx.scratchDir()}/data.parquet`;
  await writeParquet(conn, select, out);
  // The written columns first: a column replaced by another type takes their metadata, not the input's.
  const shape = await describe(conn, parquet(out), [...written, ...src.columns]);
  const uri = await ctx.artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
  return { outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps: [...src.lineage.steps, step] } } } };
}

/** A double as SQL, exactly: parsed from the shortest text that reads back as the same number. */
export const double = (x: number) => `${quoteString(String(x))}::DOUBLE`;

/** Output names must not meet the input's columns or each other. */
export function claimNames(names: string[], kept: ColumnSchema[], what: string) {
  const taken = new Set(kept.map((c) => c.name));
  for (const n of names) {
    if (taken.has(n)) throw new UserError(`${what} would write a column '${n}', which already exists; rename that column first`);
    taken.add(n);
  }
}

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { picked, errors } = pickColumns(src.columns, config.columns, notText, isCategorical);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    return withDuck(async (conn) => {
      const encoded: OneHotColumn[] = [];
      for (const c of picked) {
        const q = quoteIdent(c.name);
        // One more than kept: whether anything is left over for the other column.
        const res = await conn.runAndReadAll(
          `SELECT ${q} FROM ${parquet(file)} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY count(*) DESC, ${q} LIMIT ${config.maxCategories + 1}`,
        );
        const values = res.getRowsJS().map((r) => String(r[0]));
        encoded.push({ column: c.name, categories: values.slice(0, config.maxCategories), other: values.length > config.maxCategories });
      }
      const byName = new Map(encoded.map((e) => [e.column, e]));
      claimNames(
        encoded.flatMap((e) => oneHotValues(e).map((v) => `${e.column}=${v}`)),
        src.columns.filter((c) => !byName.has(c.name)),
        "one-hot",
      );
      const written: ColumnSchema[] = [];
      const select = src.columns.flatMap((c) => {
        const e = byName.get(c.name);
        if (!e) return [quoteIdent(c.name)];
        const q = quoteIdent(c.name);
        const named = e.categories.filter((v) => v !== OTHER).map(quoteString);
        return oneHotValues(e).map((v) => {
          const name = `${e.column}=${v}`;
          written.push(numberColumn(c, name, "integer", false));
          const isOther = v === OTHER && e.other;
          const hit = isOther ? `${q} IS NOT NULL${named.length ? ` AND ${q} NOT IN (${named.join(", ")})` : ""}` : `${q} = ${quoteString(v)}`;
          return `CASE WHEN ${hit} THEN 1 ELSE 0 END AS ${quoteIdent(name)}`;
        });
      });
      const step = lineageStep(spec, { columns: encoded, unknown: config.unknown });
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM ${parquet(file)}`, written, step);
    });
  },
});
