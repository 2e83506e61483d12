import type { ColumnSchema } from "~/lib/pipeline/document";
import { parquet, quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { isCategorical, notText, numberColumn, pickColumns } from "../columns";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { claimNames, failOn, writeDataset } from "../transform";
import { oneHotValues, OTHER, spec, type OneHotColumn } from "./spec";

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
