import { UserError } from "~/lib/errors";
import { parquet, quoteIdent, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { double, failOn, writeDataset } from "../transform";
import { numberColumn } from "../columns";
import { binnedColumns, innerEdges, spec, type Binning } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { picked, errors } = binnedColumns(config.columns, src.columns);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    return withDuck(async (conn) => {
      const levels = Array.from({ length: config.bins - 1 }, (_, i) => (i + 1) / config.bins);
      const fitted: Binning[] = [];
      for (const c of picked) {
        const x = `${quoteIdent(c.name)}::DOUBLE`;
        // quantile_cont interpolates linearly between values, as numpy's percentile (and scikit-learn) do.
        const quantiles = config.strategy === "quantile" ? `, quantile_cont(${x}, [${levels.join(", ")}])` : "";
        const [min, max, q] = (await conn.runAndReadAll(`SELECT min(${x}), max(${x})${quantiles} FROM ${parquet(file)}`)).getRowsJS()[0] ?? [];
        if (min === null || min === undefined) throw new UserError(`column '${c.name}' has no values to bin`);
        const [lo, hi] = [Number(min), Number(max)];
        const candidates = config.strategy === "quantile" ? (q as number[]).map(Number) : levels.map((_, i) => lo + ((i + 1) * (hi - lo)) / config.bins);
        fitted.push({ column: c.name, edges: innerEdges(candidates, lo, hi) });
      }
      // The bin is the number of edges at or below the value, as `binOf` counts them.
      const binned = new Map(
        fitted.map(({ column, edges }) => {
          const x = `${quoteIdent(column)}::DOUBLE`;
          const count = edges.length ? edges.map((e) => `(${x} >= ${double(e)})::INTEGER`).join(" + ") : "0";
          return [column, `CASE WHEN ${x} IS NULL THEN NULL ELSE ${count} END`];
        }),
      );
      const select = src.columns.map((c) => (binned.has(c.name) ? `${binned.get(c.name)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
      const written = picked.map((c) => numberColumn(c, c.name, "integer", c.nullable));
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM ${parquet(file)}`, written, lineageStep(spec, { columns: fitted }));
    });
  },
});
