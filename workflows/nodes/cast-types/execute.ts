import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { describe, parquet, quoteIdent, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { artifactKey, defineExecutor, input, type ContextOf, type ExecResult } from "../executor";
import { BLANKS, castColumn, convert, FALSE_WORDS, NUMBER_PATTERN, spec, TRUE_WORDS, type CastKind } from "./spec";

/** DuckDB's name for a Parquet row's position in its file: how a failure names its row. */
const ROW_NUMBER_COLUMN = "file_row_number";
const MAX_SAFE_INTEGER = "9007199254740991";
const words = (list: string[]) => list.map(quoteString).join(", ");

/**
 * The SQL of one conversion, the same as `convert` in the spec (what serving runs): the new
 * value, and a condition true for a value that does not convert (never for a missing one).
 */
function castSql(col: ColumnSchema, kind: CastKind): { value: string; bad: string | null } {
  const x = quoteIdent(col.name);
  const textual = kind === "text" || kind === "categorical";
  if (col.type === "boolean") {
    if (textual) return { value: `CAST(${x} AS VARCHAR)`, bad: null };
    return { value: kind === "boolean" ? x : `CAST(${x} AS DOUBLE)`, bad: null };
  }
  const whole = (n: string) => `(${n} = trunc(${n}) AND abs(${n}) <= ${MAX_SAFE_INTEGER})`;
  if (col.type === "number") {
    const d = `${x}::DOUBLE`;
    if (textual) return { value: `CASE WHEN ${d} = trunc(${d}) AND abs(${d}) <= 9007199254740992 THEN CAST(CAST(${d} AS BIGINT) AS VARCHAR) ELSE CAST(${d} AS VARCHAR) END`, bad: null };
    if (kind === "boolean") return { value: `CASE WHEN ${d} = 1 THEN TRUE WHEN ${d} = 0 THEN FALSE END`, bad: `${d} NOT IN (0, 1)` };
    return { value: d, bad: kind === "integer" ? `NOT ${whole(d)}` : null };
  }
  if (textual) return { value: x, bad: null };
  const t = `trim(${x}, ${BLANKS.map((c) => `chr(${c.charCodeAt(0)})`).join(" || ")})`;
  if (kind === "boolean") {
    const w = `lower(${t})`;
    return {
      value: `CASE WHEN ${w} IN (${words(TRUE_WORDS)}) THEN TRUE WHEN ${w} IN (${words(FALSE_WORDS)}) THEN FALSE END`,
      bad: `${t} <> '' AND ${w} NOT IN (${words([...TRUE_WORDS, ...FALSE_WORDS])})`,
    };
  }
  // Decimal text only (no hex, no 'inf'); a number out of range reads as infinite.
  const n = `(CASE WHEN regexp_full_match(${t}, ${quoteString(NUMBER_PATTERN)}) THEN TRY_CAST(${t} AS DOUBLE) END)`;
  return { value: n, bad: `${t} <> '' AND (${n} IS NULL OR NOT isfinite(${n})${kind === "integer" ? ` OR NOT ${whole(n)}` : ""})` };
}

async function execute(ctx: ContextOf<typeof spec>): Promise<ExecResult> {
  const { config, artifacts } = ctx;
  const src = input(ctx, "dataset", "dataset");
  const casts = Object.entries(config.kinds).map(([name, kind]) => {
    const col = src.columns.find((c) => c.name === name);
    if (!col) throw new UserError(`column '${name}' is not in the input`);
    return { col, kind, ...castSql(col, kind) };
  });
  const file = await artifacts.localPath(src.uri);
  const out = `${await ctx.scratchDir()}/data.parquet`;
  return withDuck(async (conn) => {
    const checked = casts.filter((c) => c.bad !== null);
    if (checked.length) {
      // The first value that does not convert, per column. A data column that takes DuckDB's
      // name for row positions leaves the row unnamed.
      const numbered = !src.columns.some((c) => c.name === ROW_NUMBER_COLUMN);
      const from = numbered ? `read_parquet(${quoteString(file)}, file_row_number = true)` : parquet(file);
      const shown = (c: (typeof checked)[number]) => (c.col.type === "number" ? `${quoteIdent(c.col.name)}::DOUBLE` : quoteIdent(c.col.name));
      const aggs = checked.map((c) =>
        numbered
          ? `min(${ROW_NUMBER_COLUMN}) FILTER (WHERE ${c.bad}), arg_min(${shown(c)}, ${ROW_NUMBER_COLUMN}) FILTER (WHERE ${c.bad})`
          : `NULL, any_value(${shown(c)}) FILTER (WHERE ${c.bad})`,
      );
      const found = (await conn.runAndReadAll(`SELECT ${aggs.join(", ")} FROM ${from}`)).getRowsJS()[0] ?? [];
      checked.forEach((c, i) => {
        const value = found[2 * i + 1];
        if (value === null || value === undefined) return;
        const r = convert(value, c.kind);
        const reason = "error" in r ? r.error : `${String(value)} does not convert to ${c.kind}`;
        const row = found[2 * i];
        throw new UserError(`column '${c.col.name}'${row === null || row === undefined ? "" : `, row ${Number(row) + 1}`}: ${reason}`);
      });
    }
    const replaced = casts.map((c) => `${c.value} AS ${quoteIdent(c.col.name)}`);
    await writeParquet(conn, `SELECT *${replaced.length ? ` REPLACE (${replaced.join(", ")})` : ""} FROM ${parquet(file)}`, out);
    const like = src.columns.map((c) => (config.kinds[c.name] ? castColumn(c, config.kinds[c.name]!) : c));
    const shape = await describe(conn, parquet(out), like);
    const uri = await artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
    const steps = casts.length ? [...src.lineage.steps, lineageStep(spec, { kinds: config.kinds })] : src.lineage.steps;
    return { outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps } } } };
  });
}

export const executor = defineExecutor(spec, { execute });
