import { DOUBLE } from "@duckdb/node-api";
import { UserError } from "~/lib/errors";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { mulberry32 } from "~/lib/random";
import { describe, parquet, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { ROW_NUMBER_COLUMN, spec } from "./spec";

/** Indices of the held-out rows: a seeded Fisher–Yates shuffle, so a seed always splits alike. */
export function testIndices(rows: number, testFraction: number, seed: number): Uint32Array {
  const perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  const rand = mulberry32(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, Math.round(rows * testFraction)).sort();
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  if (src.columns.some((c) => c.name === ROW_NUMBER_COLUMN)) throw new UserError(`the column name '${ROW_NUMBER_COLUMN}' is reserved by the split; rename the column before splitting`);
  const nTest = Math.round(src.rows * config.testFraction);
  if (nTest < 1 || nTest >= src.rows) {
    throw new UserError(`a test fraction of ${config.testFraction} leaves an empty train or test set for ${src.rows} rows`);
  }
  const file = await artifacts.localPath(src.uri);
  const dir = await ctx.scratchDir();
  return withDuck(async (conn) => {
    await conn.run("CREATE TEMP TABLE held_out (i DOUBLE PRIMARY KEY)");
    const appender = await conn.createAppender("held_out");
    for (const i of testIndices(src.rows, config.testFraction, config.seed)) {
      appender.appendValue(i, DOUBLE);
      appender.endRow();
    }
    appender.closeSync();
    const numbered = `(SELECT * FROM read_parquet(${quoteString(file)}, file_row_number = true))`;
    const outputs: Record<string, DatasetRef> = {};
    for (const [port, op] of [
      ["train", "NOT IN"],
      ["test", "IN"],
    ] as const) {
      const out = `${dir}/${port}.parquet`;
      await writeParquet(
        conn,
        `SELECT * EXCLUDE (file_row_number) FROM ${numbered} WHERE file_row_number::DOUBLE ${op} (SELECT i FROM held_out) ORDER BY file_row_number`,
        out,
      );
      const shape = await describe(conn, parquet(out));
      const uri = await artifacts.putFile(artifactKey(ctx, `${port}.parquet`), out);
      outputs[port] = { kind: "dataset", uri, ...shape, lineage: src.lineage };
    }
    return { outputs };
  });
}

export const executor = defineExecutor(spec, { execute });
