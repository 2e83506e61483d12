import { DOUBLE } from "@duckdb/node-api";
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef } from "~/lib/pipeline/plan";
import { mulberry32 } from "~/lib/random";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet, type Duck } from "~/workflows/data/duck";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { MAX_CLASSES_OF_NUMBERS, targetColumn } from "../columns";
import { ROW_NUMBER_COLUMN, spec } from "./spec";

function shuffle(items: Uint32Array, rand: () => number) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** Indices of the held-out rows: a seeded Fisher–Yates shuffle, so a seed always splits alike. */
export function testIndices(rows: number, testFraction: number, seed: number): Uint32Array {
  const perm = shuffle(Uint32Array.from({ length: rows }, (_, i) => i), mulberry32(seed));
  return perm.slice(0, Math.round(rows * testFraction)).sort();
}

/**
 * Held-out rows with every class keeping its share: each class gets the floor of its share of
 * the test size, and the rows left over go to the classes with the largest remainders (as
 * scikit-learn's StratifiedShuffleSplit allocates), then a seeded shuffle within each class.
 */
export function stratifiedTestIndices(labels: ArrayLike<unknown>, testFraction: number, seed: number): Uint32Array {
  const n = labels.length;
  const nTest = Math.round(n * testFraction);
  const byClass = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = String(labels[i]);
    (byClass.get(key) ?? byClass.set(key, []).get(key)!).push(i);
  }
  const classes = [...byClass.keys()].sort();
  const quota = classes.map((c) => Math.floor((byClass.get(c)!.length * nTest) / n));
  const order = classes.map((c, k) => ({ k, rest: (byClass.get(c)!.length * nTest) / n - quota[k]! })).sort((a, b) => b.rest - a.rest || a.k - b.k);
  for (let left = nTest - quota.reduce((a, b) => a + b, 0), i = 0; left > 0; i++, left--) quota[order[i % order.length]!.k]!++;
  const rand = mulberry32(seed);
  const out: number[] = [];
  classes.forEach((c, k) => out.push(...shuffle(Uint32Array.from(byClass.get(c)!), rand).subarray(0, quota[k]!)));
  return Uint32Array.from(out).sort();
}

/** Whether the target has classes to stratify by: text or boolean, or few distinct numbers. */
async function hasClasses(conn: Duck, relation: string, col: ColumnSchema) {
  if (col.type !== "number") return true;
  const [row] = (await conn.runAndReadAll(`SELECT count(DISTINCT ${quoteIdent(col.name)})::DOUBLE FROM ${relation}`)).getRowsJS();
  return Number(row?.[0] ?? 0) <= MAX_CLASSES_OF_NUMBERS;
}

/** A column's values as something DuckDB can order in time: dates and times parsed with the format ingest found. */
function timeKey(col: ColumnSchema) {
  const c = quoteIdent(col.name);
  if (col.type === "number") return c;
  if (!col.format || col.format === "iso8601") return `try_cast(${c}::VARCHAR AS TIMESTAMPTZ)`;
  if (col.format === "hh:mm[:ss]") return `try_cast(${c}::VARCHAR AS TIME)`;
  return `try_strptime(${c}::VARCHAR, ${quoteString(col.format)})`;
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
  const numbered = `(SELECT * FROM read_parquet(${quoteString(file)}, file_row_number = true))`;
  return withDuck(async (conn) => {
    let stratified = false;
    let heldOut: string;
    if (config.method === "time") {
      const col = src.columns.find((c) => c.name === config.timeColumn);
      if (!col) throw new UserError(`time column '${config.timeColumn}' is not in the input`);
      const key = timeKey(col);
      const [row] = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE ${key} IS NULL)::DOUBLE FROM ${parquet(file)}`)).getRowsJS();
      const undated = Number(row?.[0] ?? 0);
      if (undated) throw new UserError(`column '${col.name}' has ${undated} rows without a readable time; a time split needs every row dated (drop or fill them first)`);
      // The latest rows (ties in file order) are the test set.
      heldOut = `(SELECT file_row_number FROM ${numbered} ORDER BY ${key} DESC, file_row_number DESC LIMIT ${nTest})`;
    } else {
      const targetName = config.stratify === "no" ? "" : targetColumn(config.target, src.columns);
      const target = src.columns.find((c) => c.name === targetName);
      if (config.stratify === "yes" && !target) throw new UserError(targetName ? `column '${targetName}' is not in the input` : "choose the column to stratify by (the dataset marks no target)");
      stratified = !!target && (config.stratify === "yes" || (await hasClasses(conn, parquet(file), target)));
      let indices: Uint32Array;
      if (stratified) {
        const labels = (await conn.runAndReadAll(`SELECT ${quoteIdent(target!.name)}::VARCHAR FROM ${parquet(file)}`)).getColumnsJS()[0] ?? [];
        indices = stratifiedTestIndices(labels, config.testFraction, config.seed);
      } else indices = testIndices(src.rows, config.testFraction, config.seed);
      await conn.run("CREATE TEMP TABLE held_out (i DOUBLE PRIMARY KEY)");
      const appender = await conn.createAppender("held_out");
      for (const i of indices) {
        appender.appendValue(i, DOUBLE);
        appender.endRow();
      }
      appender.closeSync();
      heldOut = "(SELECT i FROM held_out)";
    }
    const outputs: Record<string, DatasetRef> = {};
    for (const [port, op] of [
      ["train", "NOT IN"],
      ["test", "IN"],
    ] as const) {
      const out = `${dir}/${port}.parquet`;
      await writeParquet(conn, `SELECT * EXCLUDE (file_row_number) FROM ${numbered} WHERE file_row_number::DOUBLE ${op} ${heldOut} ORDER BY file_row_number`, out);
      const shape = await describe(conn, parquet(out), src.columns);
      const uri = await artifacts.putFile(artifactKey(ctx, `${port}.parquet`), out);
      outputs[port] = { kind: "dataset", uri, ...shape, lineage: src.lineage };
    }
    ctx.log(`split ${outputs.train!.rows + outputs.test!.rows} rows${stratified ? " (stratified by the target)" : ""}`, { train: outputs.train!.rows, test: outputs.test!.rows });
    return { outputs, metrics: { train_rows: outputs.train!.rows, test_rows: outputs.test!.rows, stratified: stratified ? 1 : 0 } };
  });
}

export const executor = defineExecutor(spec, { execute });
