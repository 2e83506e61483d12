import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { mulberry32 } from "~/lib/random";
import { parquet, quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { claimNames, double, failOn, writeDataset } from "../transform";
import { numberColumn } from "../columns";
import { MAX_CODES } from "../ordinal-encode/spec";
import { FOLDS, MAX_CLASSES, plan, spec, type Label, type TargetEncoding } from "./spec";

/** The engine numbers rows under this name to join each to its fold; an input column may not use it. */
const ROW_NUMBER = "file_row_number";

/** Each row's fold: a seeded shuffle dealt round the folds, so folds differ in size by at most one row. */
export function foldsOf(rows: number, folds: number, seed: number): Uint8Array {
  const perm = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) perm[i] = i;
  const rand = mulberry32(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const fold = new Uint8Array(rows);
  perm.forEach((row, i) => (fold[row] = i % folds));
  return fold;
}

const labelSql = (v: Label) => (typeof v === "string" ? quoteString(v) : typeof v === "number" ? double(v) : String(v));

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { target, task, picked, errors } = plan(config, src.columns);
    failOn(errors);
    if (src.columns.some((c) => c.name === ROW_NUMBER)) throw new UserError(`the column name '${ROW_NUMBER}' is reserved by target encoding; rename the column first`);
    if (src.rows < 2) throw new UserError(`target encoding needs at least 2 rows to fit out of fold; the input has ${src.rows}`);
    const file = await ctx.artifacts.localPath(src.uri);
    const t = quoteIdent(target!.name);
    return withDuck(async (conn) => {
      const one = async (sql: string) => (await conn.runAndReadAll(sql)).getRowsJS()[0] ?? [];
      const [missing] = await one(`SELECT count(*) - count(${t}) FROM ${parquet(file)}`);
      if (Number(missing) > 0) {
        throw new UserError(`the target '${target!.name}' is missing in ${Number(missing)} row(s); target encoding needs it in every row (drop or fill those rows first)`);
      }
      // What each output averages: the target itself, or whether the row is of a class.
      let classes: Label[] | null = null;
      let ys: string[];
      if (task === "regression") ys = [`${t}::DOUBLE`];
      else {
        const numeric = target!.type === "number";
        const res = await conn.runAndReadAll(`SELECT DISTINCT ${t}${numeric ? "::DOUBLE" : ""} AS v FROM ${parquet(file)} ORDER BY v LIMIT ${MAX_CLASSES + 1}`);
        classes = res.getRowsJS().map((r) => (numeric ? Number(r[0]) : (r[0] as Label)));
        if (classes.length < 2) throw new UserError(`the target '${target!.name}' has a single value; there is nothing to encode`);
        if (classes.length > MAX_CLASSES) throw new UserError(`the target '${target!.name}' has more than ${MAX_CLASSES} classes; set the task to regression if it is a quantity`);
        const is = (v: Label) => `(${t}${numeric ? "::DOUBLE" : ""} = ${labelSql(v)})::DOUBLE`;
        ys = classes.length === 2 ? [is(classes[1]!)] : classes.map(is);
      }
      const outputsOf = (column: string) => (classes && classes.length > 2 ? classes.map((k) => `${column}:${String(k)}`) : [column]);
      claimNames(
        picked.flatMap((c) => outputsOf(c.name)),
        src.columns.filter((c) => !picked.includes(c)),
        "target encoding",
      );

      await conn.run(`CREATE TEMP TABLE folds (i BIGINT, fold INTEGER)`);
      const appender = await conn.createAppender("folds");
      foldsOf(src.rows, Math.min(FOLDS, src.rows), config.seed).forEach((fold, i) => {
        appender.appendBigInt(BigInt(i));
        appender.appendInteger(fold);
        appender.endRow();
      });
      appender.closeSync();
      const numbered = `read_parquet(${quoteString(file)}, ${ROW_NUMBER} = true)`;
      const sums = ys.map((_, k) => `sum(y${k}) AS y${k}`).join(", ");
      await conn.run(
        `CREATE TEMP VIEW data AS SELECT f.fold, ${ys.map((y, k) => `${y} AS y${k}`).join(", ")}${picked.map((c, j) => `, s.${quoteIdent(c.name)} AS c${j}`).join("")} FROM ${numbered} s JOIN folds f ON f.i = s.${ROW_NUMBER}`,
      );
      // The prior of each fold's rows: the target's mean over the other folds.
      await conn.run(`CREATE TEMP TABLE fold_totals AS SELECT fold, count(*)::DOUBLE AS n, ${sums} FROM data GROUP BY fold`);
      await conn.run(
        `CREATE TEMP TABLE priors AS SELECT f.fold, ${ys.map((_, k) => `(a.y${k} - f.y${k}) / (a.n - f.n) AS p${k}`).join(", ")} FROM fold_totals f, (SELECT sum(n) AS n, ${sums} FROM fold_totals) a`,
      );
      const all = await one(`SELECT ${ys.map((_, k) => `sum(y${k}) / sum(n)`).join(", ")} FROM fold_totals`);
      const prior = all.map(Number);
      const m = double(config.smoothing);

      const encoded: TargetEncoding[] = [];
      for (const [j, c] of picked.entries()) {
        await conn.run(`CREATE TEMP TABLE by_fold${j} AS SELECT c${j} AS v, fold, count(*)::DOUBLE AS n, ${sums} FROM data WHERE c${j} IS NOT NULL GROUP BY ALL`);
        await conn.run(`CREATE TEMP TABLE whole${j} AS SELECT v, sum(n) AS n, ${sums} FROM by_fold${j} GROUP BY v`);
        const [distinct] = await one(`SELECT count(*) FROM whole${j}`);
        if (Number(distinct) > MAX_CODES) {
          throw new UserError(`column '${c.name}' has ${Number(distinct)} different values; target encoding keeps at most ${MAX_CODES} (each is stored with the model): is it an identifier?`);
        }
        // Out of fold: the category's rows in the other folds, smoothed towards those folds' prior.
        const oof = ys.map((_, k) => `CASE WHEN w.n - b.n + ${m} = 0 THEN p.p${k} ELSE (w.y${k} - b.y${k} + ${m} * p.p${k}) / (w.n - b.n + ${m}) END AS e${k}`);
        await conn.run(`CREATE TEMP TABLE oof${j} AS SELECT b.v, b.fold, ${oof.join(", ")} FROM by_fold${j} b JOIN whole${j} w USING (v) JOIN priors p USING (fold)`);
        const fitted = await conn.runAndReadAll(
          `SELECT v, ${ys.map((_, k) => `(y${k} + ${m} * ${double(prior[k]!)}) / (n + ${m})`).join(", ")} FROM whole${j} ORDER BY n DESC, v`,
        );
        const rows = fitted.getRowsJS();
        encoded.push({
          column: c.name,
          outputs: outputsOf(c.name),
          categories: rows.map((r) => String(r[0])),
          values: rows.map((r) => r.slice(1).map(Number)),
          prior,
        });
      }

      const byName = new Map(picked.map((c, j) => [c.name, j]));
      const written: ColumnSchema[] = [];
      const select = src.columns.flatMap((c) => {
        const j = byName.get(c.name);
        if (j === undefined) return [`s.${quoteIdent(c.name)}`];
        return encoded[j]!.outputs.map((name, k) => {
          written.push(numberColumn(c, name, "float", c.nullable));
          return `e${j}.e${k} AS ${quoteIdent(name)}`;
        });
      });
      const joins = picked.map((c, j) => `LEFT JOIN oof${j} e${j} ON e${j}.v = s.${quoteIdent(c.name)} AND e${j}.fold = f.fold`).join(" ");
      const sql = `SELECT ${select.join(", ")} FROM ${numbered} s JOIN folds f ON f.i = s.${ROW_NUMBER} ${joins} ORDER BY s.${ROW_NUMBER}`;
      const step = lineageStep(spec, { target: target!.name, classes, columns: encoded });
      return writeDataset(ctx, conn, src, sql, written, step);
    });
  },
});
