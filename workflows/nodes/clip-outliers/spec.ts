import { z } from "zod";
import { InvalidError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import { isFeature } from "../columns";
import { defineNode, findColumn } from "../define";

export interface Bounds {
  /** Per column, what training clipped it to (null: no bound on that side). */
  bounds: Record<string, { lower: number | null; upper: number | null }>;
}

const schema = z.object({
  columns: z
    .array(z.string())
    .default([])
    .meta({ title: "Columns", description: "Empty means every numeric feature column (not the target, IDs or ignored ones).", widget: "columns" }),
  method: z.enum(["quantiles", "bounds"]).default("quantiles").meta({ title: "Method", description: "quantiles of this data, or fixed bounds" }),
  lowerQuantile: z.number().min(0).max(1).default(0.01).meta({ title: "Lower quantile", visibleWhen: { method: ["quantiles"] } }),
  upperQuantile: z.number().min(0).max(1).default(0.99).meta({ title: "Upper quantile", visibleWhen: { method: ["quantiles"] } }),
  lower: z.number().optional().meta({ title: "Lower bound", description: "For fixed bounds; empty means none", visibleWhen: { method: ["bounds"] } }),
  upper: z.number().optional().meta({ title: "Upper bound", description: "For fixed bounds; empty means none", visibleWhen: { method: ["bounds"] } }),
});
type Config = z.output<typeof schema>;

/**
 * The columns a config clips: the named ones, or every numeric feature column. The target is
 * never clipped (a model must learn the values it will be judged on), nor by default IDs and
 * ignored columns.
 */
export function clipped(config: Config, cols: ColumnSchema[]) {
  const errors: { path: string; message: string }[] = [];
  config.columns.forEach((name, i) => {
    const col = findColumn(cols, name);
    const path = `columns.${i}`;
    if (!col) errors.push({ path, message: `column '${name}' is not in the input` });
    else if (col.type !== "number") errors.push({ path, message: `column '${name}' is ${col.type}; only numbers are clipped` });
    else if (col.role === "target") errors.push({ path, message: `column '${name}' is the target; it is never clipped` });
  });
  const columns = config.columns.length
    ? cols.filter((c) => config.columns.includes(c.name))
    : cols.filter((c) => c.type === "number" && isFeature(c));
  if (!config.columns.length && !columns.length) errors.push({ path: "columns", message: "there is no numeric feature column to clip" });
  if (config.method === "quantiles" && config.lowerQuantile > config.upperQuantile) {
    errors.push({ path: "lowerQuantile", message: "the lower quantile is above the upper one" });
  }
  if (config.method === "bounds") {
    if (config.lower === undefined && config.upper === undefined) errors.push({ path: "lower", message: "give a lower bound, an upper bound or both" });
    else if (config.lower !== undefined && config.upper !== undefined && config.lower > config.upper) {
      errors.push({ path: "lower", message: "the lower bound is above the upper one" });
    }
  }
  return { columns, errors };
}

/** Bounds of an integer column are rounded outward, so clipped values stay whole. */
export function boundsFor(col: ColumnSchema, lower: number | null, upper: number | null) {
  return col.kind === "integer" ? { lower: lower === null ? null : Math.floor(lower), upper: upper === null ? null : Math.ceil(upper) } : { lower, upper };
}

export const spec = defineNode({
  type: "clip-outliers",
  label: "Clip outliers",
  stage: "clean",
  description: "Limits numeric columns to bounds: quantiles fitted on this data (kept with the model) or fixed values. Missing values stay missing.",
  config: schema,
  inputs: { dataset: { type: "dataset", label: "Dataset" } },
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  infer: ({ config, inputs }) => {
    const cols = inputs.dataset;
    if (!cols) return {};
    return { errors: clipped(config, cols).errors, outputs: { dataset: cols } };
  },
  summary: (config) => {
    const range =
      config.method === "quantiles"
        ? `quantiles ${config.lowerQuantile}–${config.upperQuantile}`
        : `${config.lower ?? "−∞"} to ${config.upper ?? "∞"}`;
    return config.columns.length ? `${config.columns.join(", ")}: ${range}` : range;
  },
  // The bounds fitted in training clip request values; a missing value (or NaN) stays as it is.
  replay: ({ bounds }: Bounds) => {
    const entries = Object.entries(bounds);
    return (row) => {
      for (const [name, { lower, upper }] of entries) {
        const v = row[name];
        if (v === null || v === undefined) continue;
        if (typeof v !== "number") throw new InvalidError(`field '${name}': ${JSON.stringify(v)?.slice(0, 60)} is not a number`);
        if (lower !== null && v < lower) row[name] = lower;
        else if (upper !== null && v > upper) row[name] = upper;
      }
    };
  },
  reads: ({ bounds }) => Object.fromEntries(Object.keys(bounds).map((name) => [name, [name]])),
});
