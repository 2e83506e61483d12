/**
 * The pipeline document: what the canvas draws, the API accepts and Postgres stores.
 * Pure data and zod only, so the browser, tRPC, REST handlers and the worker share it.
 */
import { z } from "zod";

/** How a column's values are stored and computed with: what the engines see. */
export type ColumnType = "number" | "string" | "boolean";

/**
 * What a column's values mean, as ingest inferred it or the user set it. Dates, times and
 * timestamps are stored as the text the source wrote (and the endpoint accepts the same text);
 * `format` says how to read them.
 */
export const columnKinds = ["integer", "float", "boolean", "categorical", "text", "date", "datetime", "time"] as const;
export type ColumnKind = (typeof columnKinds)[number];

/** What a column is for: a feature (the default), the target, an identifier, or ignored. */
export const columnRoles = ["feature", "target", "id", "ignored"] as const;
export type ColumnRole = (typeof columnRoles)[number];

/** The storage type of each kind. */
export const typeOfKind: Record<ColumnKind, ColumnType> = {
  integer: "number",
  float: "number",
  boolean: "boolean",
  categorical: "string",
  text: "string",
  date: "string",
  datetime: "string",
  time: "string",
};

/** A column as Millrace types it. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** True when the column holds at least one missing value. */
  nullable: boolean;
  /** What the values mean; absent on columns from before kinds existed (read from `type`). */
  kind?: ColumnKind;
  /** Absent means feature. */
  role?: ColumnRole;
  /** For a boolean read from text: the spellings of true and false in the source (the endpoint accepts them too). */
  tokens?: { true: string[]; false: string[] };
  /** For dates, times and timestamps: the strptime format the source uses. */
  format?: string;
  /** The spellings ingest read as a missing value (`NA`, `N/A`, …): the endpoint reads them as missing too. */
  missingTokens?: string[];
}



const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_OR_LINE_BREAK = /[\u0000-\u001f\u007f]/;

/**
 * Whether text holds control characters (NUL and the like, which Postgres, DuckDB and logs choke
 * on). Names may not even hold tabs or line breaks; longer text (an expression) may.
 */
export const hasControlCharacters = (s: string, opts: { name?: boolean } = {}) => (opts.name ? CONTROL_OR_LINE_BREAK : CONTROL).test(s);

const text = (max: number) => z.string().max(max).refine((s) => !hasControlCharacters(s, { name: true }), "contains a control character");

/** Config values are checked for control characters (Postgres, DuckDB and logs choke on NUL), as deep as they go. */
function checkStrings(value: unknown, path: (string | number)[], ctx: z.RefinementCtx, depth = 0) {
  if (depth > 32) ctx.addIssue({ code: "custom", path, message: "nests deeper than 32 levels" });
  else if (typeof value === "string") {
    if (CONTROL.test(value)) ctx.addIssue({ code: "custom", path, message: "contains a control character" });
  } else if (Array.isArray(value)) value.forEach((v, i) => checkStrings(v, [...path, i], ctx, depth + 1));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (CONTROL.test(k)) ctx.addIssue({ code: "custom", path: [...path, k], message: "the key contains a control character" });
      checkStrings(v, [...path, k], ctx, depth + 1);
    }
  }
}

/** Run parameters (see `parameters.ts` for how node settings refer to them). */
export const parameterTypes = ["number", "integer", "string", "boolean", "dataset"] as const;
export type ParameterType = (typeof parameterTypes)[number];

export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const parameterSchema = z
  .object({
    name: z.string().regex(PARAMETER_NAME, "a parameter name uses letters, digits and '_' (at most 64), not starting with a digit"),
    type: z.enum(parameterTypes),
    /** The value a run gets when its launcher does not choose one (schedules and triggers use it too). */
    default: z.union([z.number(), z.string().max(10_000), z.boolean()]),
    description: z.string().max(500).optional(),
    /** For numbers: the range a launcher may choose from. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** For text: the values a launcher may choose from (any text when absent). */
    options: z.array(z.string().max(200)).max(100).optional(),
  })
  .strict();
export type PipelineParameter = z.infer<typeof parameterSchema>;

const parametersSchema = z
  .array(parameterSchema)
  .max(50, "a pipeline has at most 50 parameters")
  .superRefine((params, ctx) => {
    const seen = new Set<string>();
    params.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `parameter '${p.name}' is declared twice` });
      seen.add(p.name);
      const problem = valueProblem(p, p.default);
      if (problem) ctx.addIssue({ code: "custom", path: [i, "default"], message: `the default of '${p.name}' ${problem}` });
    });
  });

/** What is wrong with a value for a parameter, in words ("must be a whole number"), or undefined. */
export function valueProblem(p: Pick<PipelineParameter, "type" | "min" | "max" | "options">, v: unknown): string | undefined {
  switch (p.type) {
    case "number":
    case "integer":
      if (typeof v !== "number" || !Number.isFinite(v)) return "must be a number";
      if (p.type === "integer" && !Number.isInteger(v)) return "must be a whole number";
      if (p.min !== undefined && v < p.min) return `must be at least ${p.min}`;
      if (p.max !== undefined && v > p.max) return `must be at most ${p.max}`;
      return undefined;
    case "boolean":
      return typeof v === "boolean" ? undefined : "must be true or false";
    case "string":
      if (typeof v !== "string") return "must be text";
      if (p.options?.length && !p.options.includes(v)) return `must be one of ${p.options.join(", ")}`;
      return undefined;
    case "dataset":
      return typeof v === "string" && v !== "" ? undefined : "must name a dataset";
  }
}

const graphNodeSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "a node id uses letters, digits, '-' and '_' (at most 64), starting with a letter or digit"),
  type: text(64).min(1),
  config: z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((config, ctx) => checkStrings(config, [], ctx)),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
});

const graphEdgeSchema = z.object({
  source: text(64),
  sourceHandle: text(64),
  target: text(64),
  targetHandle: text(64),
});

/**
 * A sticky note on the canvas: free text beside the graph, for the people reading it. Notes are
 * not nodes: the compiler never sees them and nothing runs them.
 */
const noteSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "a note id uses letters, digits, '-' and '_' (at most 64), starting with a letter or digit"),
  text: z.string().max(10_000, "a note holds at most 10,000 characters").refine((s) => !CONTROL.test(s), "contains a control character"),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  size: z.object({ width: z.number().min(40).max(4000), height: z.number().min(30).max(4000) }).default({ width: 208, height: 120 }),
});
export type PipelineNote = z.infer<typeof noteSchema>;

const pipelineGraphSchema = z.object({
  parameters: parametersSchema.optional(),
  /** Absent in documents from before notes (and in any without one). */
  notes: z.array(noteSchema).max(500, "a pipeline has at most 500 notes").optional(),
  nodes: z.array(graphNodeSchema).max(2000, "a pipeline has at most 2000 nodes; split it into smaller pipelines"),
  edges: z.array(graphEdgeSchema).max(5000, "a pipeline has at most 5000 edges; split it into smaller pipelines"),
});
export type PipelineGraph = z.infer<typeof pipelineGraphSchema>;

export const pipelineDocumentSchema = pipelineGraphSchema.extend({
  name: text(200).trim().min(1, "name is required"),
});
export type PipelineDocument = z.infer<typeof pipelineDocumentSchema>;

/** A new document from outside (the REST API): unknown top-level fields are refused, not dropped. */
export const newPipelineDocumentSchema = pipelineDocumentSchema.strict();

/** One problem with a pipeline, pinned to the node (and config field) at fault. */
export interface GraphError {
  nodeId: string | null;
  path: string;
  message: string;
}
