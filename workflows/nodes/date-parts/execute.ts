import { parquet, quoteIdent, quoteString, withDuck } from "~/workflows/data/duck";
import { lineageStep } from "../define";
import { defineExecutor, input } from "../executor";
import { failOn, writeDataset } from "../transform";
import { anchored, FIELD_NAMES, type DatePattern } from "~/lib/pipeline/dates";
import { NEEDS, plan, spec, type DatePart } from "./spec";

/**
 * SQL reading the fields struct `f` (text captured by the pattern) into a struct of integers, or
 * NULL when they are not a real date or clock time: the checks of `readDate`, line for line.
 * Fields go by their names (year, month …): SQL names ignore case, so `m` and `M` would clash.
 */
function checkedFields(f: string, p: DatePattern) {
  const n = (x: keyof typeof FIELD_NAMES) => `TRY_CAST(NULLIF(${f}.${FIELD_NAMES[x]}, '') AS INTEGER)`;
  const checks: string[] = [];
  if (p.fields.includes("H")) checks.push(`${n("H")} BETWEEN 0 AND 23`);
  if (p.fields.includes("M")) checks.push(`${n("M")} BETWEEN 0 AND 59`);
  if (p.fields.includes("S")) checks.push(`coalesce(${n("S")} <= 59, true)`);
  if (p.fields.includes("d")) {
    const leap = `((${n("Y")} % 4 = 0 AND ${n("Y")} % 100 <> 0) OR ${n("Y")} % 400 = 0)`;
    const days = `CASE WHEN ${n("m")} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN ${n("m")} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
    checks.push(`${n("Y")} >= 1`, `${n("m")} BETWEEN 1 AND 12`, `${n("d")} BETWEEN 1 AND ${days}`);
  }
  return `CASE WHEN ${checks.join(" AND ")} THEN struct_pack(${p.fields.map((x) => `${FIELD_NAMES[x]} := ${n(x)}`).join(", ")}) END`;
}

/** SQL for one part from the checked fields struct `v` (Monday = 0, as `partOf`). */
function partSql(part: DatePart, v: string) {
  const date = `make_date(${v}.year, ${v}.month, ${v}.day)`;
  switch (part) {
    case "day_of_week":
      return `isodow(${date}) - 1`;
    case "is_weekend":
      return `(isodow(${date}) >= 6)::INTEGER`;
    case "day_of_year":
      return `dayofyear(${date})`;
    default:
      return `${v}.${FIELD_NAMES[NEEDS[part]]}`;
  }
}

export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config } = ctx;
    const src = input(ctx, "dataset", "dataset");
    const { errors, column, format, pattern, parts } = plan(config, src.columns);
    failOn(errors);
    const file = await ctx.artifacts.localPath(src.uri);
    // Names for the intermediate structs that no input column has.
    const names = new Set(src.columns.map((c) => c.name));
    let raw = "date_parts";
    while (names.has(raw) || names.has(`${raw}_checked`)) raw += "_";
    const checked = `${raw}_checked`;
    const q = quoteIdent(column!.name);
    const captured = `regexp_extract(CAST(${q} AS VARCHAR), ${quoteString(anchored(pattern!))}, [${pattern!.fields.map((x) => quoteString(FIELD_NAMES[x])).join(", ")}])`;
    const inner = `SELECT *, ${captured} AS ${quoteIdent(raw)} FROM ${parquet(file)}`;
    const middle = `SELECT *, ${checkedFields(quoteIdent(raw), pattern!)} AS ${quoteIdent(checked)} FROM (${inner})`;
    const select = src.columns.flatMap((c) => {
      if (c !== column) return [quoteIdent(c.name)];
      const added = parts.map((part) => `${partSql(part, quoteIdent(checked))} AS ${quoteIdent(`${c.name}_${part}`)}`);
      return config.dropOriginal ? added : [q, ...added];
    });
    return withDuck(async (conn) => {
      const written = spec.infer!({ config, inputs: { dataset: src.columns }, datasetColumns: () => undefined }).outputs!.dataset!;
      const step = lineageStep(spec, { column: column!.name, format: format!, parts, drop: config.dropOriginal });
      return writeDataset(ctx, conn, src, `SELECT ${select.join(", ")} FROM (${middle})`, written, step);
    });
  },
});
