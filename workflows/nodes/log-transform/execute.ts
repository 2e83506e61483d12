import { UserError } from "~/lib/errors";
import { parquet, quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { failOn, writeDataset } from "../transform";
import { numberColumn } from "../columns";
import { namedColumns, spec } from "./spec";

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { picked, errors } = namedColumns(config.columns, src.columns);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    return withDuck(async (conn) => {
      const mins = picked.length
        ? ((await conn.runAndReadAll(`SELECT ${picked.map((c) => `min(${quoteIdent(c.name)})::DOUBLE`).join(", ")} FROM ${parquet(file)}`)).getRowsJS()[0] ?? [])
        : [];
      const negative = picked.filter((_, i) => mins[i] !== null && Number(mins[i]) < 0);
      if (config.columns.length && negative[0]) {
        const name = negative[0].name;
        const q = quoteIdent(name);
        // The first offending row, numbered from 1 as in the file (unless a column already takes that name).
        const numbered = !src.columns.some((c) => c.name === "file_row_number");
        const at = (
          await conn.runAndReadAll(
            numbered
              ? `SELECT file_row_number + 1, ${q}::DOUBLE FROM read_parquet(${quoteString(file)}, file_row_number = true) WHERE ${q} < 0 ORDER BY file_row_number LIMIT 1`
              : `SELECT NULL, min(${q})::DOUBLE FROM ${parquet(file)}`,
          )
        ).getRowsJS()[0]!;
        throw new UserError(`column '${name}'${at[0] === null ? "" : `, row ${Number(at[0])}`}: ${Number(at[1])} is negative; ln(1 + x) needs values of 0 or more (clip or shift the column first)`);
      }
      const chosen = picked.filter((c) => !negative.includes(c));
      const logged = new Set(chosen.map((c) => c.name));
      const select = src.columns.map((c) => {
        const q = quoteIdent(c.name);
        return logged.has(c.name) ? `ln(1 + ${q}::DOUBLE) AS ${q}` : q;
      });
      const written = chosen.map((c) => numberColumn(c, c.name, "float", c.nullable));
      const step = lineageStep(spec, { columns: chosen.map((c) => c.name) });
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM ${parquet(file)}`, written, step);
    });
  },
});
