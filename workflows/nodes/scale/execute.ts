import { UserError } from "~/lib/errors";
import { parquet, quoteIdent, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { double, failOn, writeDataset } from "../transform";
import { numberColumn } from "../columns";
import { scaledColumns, spec, type Scaling } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { picked, errors } = scaledColumns(config.columns, src.columns);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    return withDuck(async (conn) => {
      const stats = picked.flatMap((c) => {
        const x = `${quoteIdent(c.name)}::DOUBLE`;
        return config.method === "standard" ? [`avg(${x})`, `stddev_pop(${x})`] : [`min(${x})`, `max(${x})`];
      });
      const row = picked.length ? ((await conn.runAndReadAll(`SELECT ${stats.join(", ")} FROM ${parquet(file)}`)).getRowsJS()[0] ?? []) : [];
      const fitted: Scaling[] = picked.map((c, i) => {
        const [a, b] = [row[2 * i], row[2 * i + 1]];
        if (a === null || a === undefined) throw new UserError(`column '${c.name}' has no values to scale`);
        return config.method === "standard" ? { column: c.name, mean: Number(a), std: Number(b) } : { column: c.name, min: Number(a), max: Number(b) };
      });
      // The same arithmetic as `scaleValue`, on the same doubles.
      const scaled = new Map(
        fitted.map((s) => {
          const x = `${quoteIdent(s.column)}::DOUBLE`;
          const expr = "mean" in s ? (s.std === 0 ? "0::DOUBLE" : `(${x} - ${double(s.mean)}) / ${double(s.std)}`) : s.max === s.min ? "0::DOUBLE" : `(${x} - ${double(s.min)}) / ${double(s.max - s.min)}`;
          return [s.column, `CASE WHEN ${x} IS NULL THEN NULL ELSE ${expr} END`];
        }),
      );
      const select = src.columns.map((c) => (scaled.has(c.name) ? `${scaled.get(c.name)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
      const written = picked.map((c) => numberColumn(c, c.name, "float", c.nullable));
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM ${parquet(file)}`, written, lineageStep(spec, { columns: fitted }));
    });
  },
});
