import { z } from "zod";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { defineNode } from "../define";

export interface Renames {
  /** Old name → new name, only the columns that change name. */
  rename: Record<string, string>;
}

const schema = z.object({
  mode: z.enum(["keep", "drop"]).default("keep").meta({ title: "Mode", description: "keep: only the chosen columns stay; drop: the chosen columns go" }),
  columns: z.array(z.string()).default([]).meta({ title: "Columns", description: "Empty keeps every column.", widget: "columns" }),
  rename: z.record(z.string(), z.string()).default({}).meta({ title: "Rename", description: "A new name for a column", widget: "column-map" }),
});
type Config = z.output<typeof schema>;

/**
 * The output columns (input order, renamed, metadata kept) and what is wrong with the config,
 * each problem at its config field. A new name may reuse a dropped column's name, but not one
 * that stays or is renamed itself: at serving each raw field then feeds one column only.
 */
export function selection(config: Config, cols: ColumnSchema[]) {
  const errors: { path: string; message: string }[] = [];
  const known = new Set(cols.map((c) => c.name));
  config.columns.forEach((name, i) => {
    if (!known.has(name)) errors.push({ path: `columns.${i}`, message: `column '${name}' is not in the input` });
  });
  const listed = new Set(config.columns);
  const stays = (name: string) => (config.mode === "keep" ? !listed.size || listed.has(name) : !listed.has(name));
  const rename: Record<string, string> = {};
  for (const [old, neu] of Object.entries(config.rename)) {
    const path = `rename.${old}`;
    if (!known.has(old)) errors.push({ path, message: `column '${old}' is not in the input` });
    else if (!stays(old)) errors.push({ path, message: `column '${old}' is ${config.mode === "keep" ? "not kept" : "dropped"}; it cannot be renamed` });
    else if (!neu.trim()) errors.push({ path, message: `the new name of '${old}' is empty` });
    else if (neu !== old) rename[old] = neu;
  }
  const taken = new Set(cols.filter((c) => stays(c.name)).map((c) => c.name));
  const given = new Set<string>();
  for (const [old, neu] of Object.entries(rename)) {
    const path = `rename.${old}`;
    if (taken.has(neu)) errors.push({ path, message: `a column named '${neu}' already exists` });
    else if (given.has(neu)) errors.push({ path, message: `'${neu}' is the new name of another column too` });
    given.add(neu);
  }
  const columns = cols.filter((c) => stays(c.name)).map((c) => {
    const neu = rename[c.name];
    return neu ? { ...c, name: neu } : c;
  });
  if (cols.length && !columns.length) errors.push({ path: "columns", message: "no column is left" });
  return { columns, rename, errors };
}

export const spec = defineNode({
  type: "select-columns",
  label: "Select, drop or rename columns",
  stage: "clean",
  description: "Keeps or drops the chosen columns and renames columns; the endpoint accepts the original names.",
  config: schema,
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    const { columns, errors } = selection(config, cols);
    return { errors, outputs: { dataset: columns } };
  },
  summary: (config) => {
    const parts = config.columns.length ? [`${config.mode} ${config.columns.join(", ")}`] : [];
    const renames = Object.entries(config.rename).map(([old, neu]) => `${old} → ${neu}`);
    if (renames.length) parts.push(`rename ${renames.join(", ")}`);
    return parts.join(" · ") || "every column";
  },
  // A request carries the names the source had: each renamed field moves to its new name
  // (missing when the request leaves it out). Dropped fields need no step: nothing reads them.
  replay: ({ rename }: Renames) => {
    const pairs = Object.entries(rename);
    return (row) => {
      const values = pairs.map(([old]) => row[old]);
      for (const [old] of pairs) delete row[old];
      pairs.forEach(([, neu], i) => {
        row[neu] = values[i] ?? null;
      });
    };
  },
  reads: ({ rename }) => Object.fromEntries(Object.entries(rename).map(([old, neu]) => [neu, [old]])),
});
