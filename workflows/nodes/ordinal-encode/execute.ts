import { UserError } from "~/lib/errors";
import { parquet, quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { failOn, writeDataset } from "../transform";
import { numberColumn } from "../columns";
import { encodedColumns, MAX_CODES, spec, type OrdinalColumn } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { picked, errors } = encodedColumns(config.columns, src.columns);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    return withDuck(async (conn) => {
      const encoded: OrdinalColumn[] = [];
      for (const c of picked) {
        const q = quoteIdent(c.name);
        const order = config.order === "frequency" ? `count(*) DESC, ${q}` : q;
        const res = await conn.runAndReadAll(`SELECT ${q} FROM ${parquet(file)} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY ${order} LIMIT ${MAX_CODES + 1}`);
        const categories = res.getRowsJS().map((r) => String(r[0]));
        if (categories.length > MAX_CODES) {
          throw new UserError(`column '${c.name}' has more than ${MAX_CODES} different values, too many to encode (each is kept with the model): is it an identifier? One-hot keeps the most frequent values`);
        }
        encoded.push({ column: c.name, categories });
      }
      // A lookup in a map literal: no join, so the rows keep their order.
      const codes = new Map(
        encoded.map(({ column, categories }) => [
          column,
          categories.length ? `MAP {${categories.map((v, i) => `${quoteString(v)}: ${i}`).join(", ")}}[${quoteIdent(column)}]` : "NULL::INTEGER",
        ]),
      );
      const select = src.columns.map((c) => (codes.has(c.name) ? `${codes.get(c.name)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
      const written = picked.map((c) => numberColumn(c, c.name, "integer", c.nullable));
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM ${parquet(file)}`, written, lineageStep(spec, { columns: encoded }));
    });
  },
});
