/**
 * The compiler: a saved graph in, a validated execution plan out — or every problem found,
 * each naming its node and field. Pure, so the canvas runs it live and the API runs it
 * again before starting a run.
 */
import { z } from "zod";
import type { ColumnSchema, GraphError, PipelineGraph } from "~/lib/pipeline/document";
import { bindParameters } from "~/lib/pipeline/parameters";
import type { PlanNode } from "~/lib/pipeline/plan";
import { hiddenFields, type VisibleWhen } from "~/lib/pipeline/visibility";
import type { CompileLookups, NodeSpec } from "./define";
import { getSpec } from "./registry";

export interface CompileContext extends CompileLookups {
  /** The run's chosen parameter values; every other declared parameter takes its default. */
  parameters?: Record<string, unknown>;
}

export interface CompileResult {
  errors: GraphError[];
  /** Topologically ordered nodes; present only when there are no errors. */
  plan?: PlanNode[];
  /** Inferred columns on each node's dataset outputs (for the inspector's column pickers). */
  columns: Record<string, Record<string, ColumnSchema[]>>;
  /** Every declared parameter's value for this compile (chosen or default). */
  parameters: Record<string, unknown>;
}

interface FieldInfo {
  title?: string;
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  default?: unknown;
  visibleWhen?: VisibleWhen;
}
const fieldInfo = new WeakMap<object, Record<string, FieldInfo>>();
function fieldsOf(spec: NodeSpec): Record<string, FieldInfo> {
  let f = fieldInfo.get(spec);
  if (!f) {
    f = (z.toJSONSchema(spec.config, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, FieldInfo> }).properties ?? {};
    fieldInfo.set(spec, f);
  }
  return f;
}

/** zod's own wording ("Too big: expected number to be <1"), which a node's schema did not replace with its own. */
const GENERIC = /^(Invalid input|Too big|Too small|Invalid option)\b/;

/**
 * A config problem in the user's terms: the field's title and what it takes, all at once —
 * "Trees must be a whole number from 1 to 2000" rather than "Invalid input: expected int".
 */
function configMessage(spec: NodeSpec, issue: z.core.$ZodIssue): string {
  if (!GENERIC.test(issue.message)) return issue.message;
  const key = String(issue.path[0] ?? "");
  const f = fieldsOf(spec)[key] ?? {};
  const title = f.title ?? key;
  if (f.enum) return `${title} must be one of ${f.enum.map(String).join(", ")}`;
  if (f.type === "integer" || f.type === "number") {
    // zod's int() bounds are the safe-integer range: not worth saying.
    const min = f.minimum !== undefined && f.minimum > Number.MIN_SAFE_INTEGER ? f.minimum : undefined;
    const max = f.maximum !== undefined && f.maximum < Number.MAX_SAFE_INTEGER ? f.maximum : undefined;
    const lo = min !== undefined ? `from ${min}` : f.exclusiveMinimum !== undefined ? `above ${f.exclusiveMinimum}` : "";
    const hi = max !== undefined ? `${lo ? "to" : "up to"} ${max}` : f.exclusiveMaximum !== undefined ? `below ${f.exclusiveMaximum}` : "";
    return `${title} must be ${f.type === "integer" ? "a whole number" : "a number"}${lo ? ` ${lo}` : ""}${hi ? `${lo ? " and" : ""} ${hi}`.replace(" and to", " to") : ""}`;
  }
  if (f.type === "boolean") return `${title} must be on or off`;
  if (f.type === "array") return `${title} must be a list`;
  if (f.type === "string") return `${title} must be text`;
  return `${title}: ${issue.message}`;
}

/** Whether an edge from `sourceHandle` of one node type to `targetHandle` of another is allowed. */
export function portsCompatible(sourceType: string, sourceHandle: string, targetType: string, targetHandle: string) {
  const out = getSpec(sourceType)?.outputs[sourceHandle];
  const inp = getSpec(targetType)?.inputs[targetHandle];
  return !!out && !!inp && out.type === inp.type;
}

/** Why a connection the canvas refused cannot be made, in words (undefined when it can). */
export function connectionProblem(sourceType: string, sourceHandle: string, targetType: string, targetHandle: string, sameNode = false): string | undefined {
  const src = getSpec(sourceType);
  const dst = getSpec(targetType);
  const out = src?.outputs[sourceHandle];
  const inp = dst?.inputs[targetHandle];
  if (sameNode) return "a node cannot feed itself";
  if (!out || !inp) return "connect an output (right side) to an input (left side)";
  if (out.type !== inp.type) return `${dst!.label}'s input '${inp.label}' takes a ${inp.type}; ${src!.label}'s '${out.label}' is a ${out.type}`;
  return undefined;
}

/**
 * `repaired`: when the settings do not parse, the same settings with the failing ones at their
 * defaults, if that parses (null if not): the node's column checks and outputs are still worked
 * out with it, so that every problem shows at once instead of in waves as each is fixed. `bad`:
 * the settings that failed (their column checks are not reported again).
 */
type Judged = { parsed: z.ZodSafeParseResult<unknown>; hidden: Set<string>; repaired: { config: Record<string, unknown>; bad: Set<string> } | null };
/**
 * Per settings object, what its node's schema made of it. The canvas compiles on every edit and
 * keeps the settings object of each node it did not change, so an edit judges one node's settings
 * again, not a thousand. Read only: the parsed settings are shared by the compiles that hit.
 */
const judgedCache = new WeakMap<NodeSpec, WeakMap<object, Judged>>();
function judge(spec: NodeSpec, config: Record<string, unknown>): Judged {
  let bySpec = judgedCache.get(spec);
  if (!bySpec) judgedCache.set(spec, (bySpec = new WeakMap()));
  let j = bySpec.get(config);
  if (j) return j;
  let parsed = spec.config.safeParse(config);
  // A setting that does not apply (hidden in the inspector; its executor ignores it) is not
  // judged: when only such settings are wrong, the node runs on their defaults.
  const hidden = hiddenFields(fieldsOf(spec), config);
  if (!parsed.success && hidden.size && !parsed.error.issues.some((i) => !hidden.has(String(i.path[0] ?? "")))) {
    parsed = spec.config.safeParse(Object.fromEntries(Object.entries(config).filter(([k]) => !hidden.has(k))));
  }
  let repaired: Judged["repaired"] = null;
  if (!parsed.success) {
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    if (!bad.has("")) {
      const again = spec.config.safeParse(Object.fromEntries(Object.entries(config).filter(([k]) => !bad.has(k) && !hidden.has(k))));
      if (again.success) repaired = { config: again.data as Record<string, unknown>, bad };
    }
  }
  j = { parsed, hidden, repaired };
  bySpec.set(config, j);
  return j;
}

export function compile(drawn: PipelineGraph, ctx: CompileContext): CompileResult {
  // Parameters first: each node's own schema then judges the value it will run with.
  const bound = bindParameters(drawn, ctx.parameters);
  const graph = bound.graph;
  const errors: GraphError[] = [...bound.errors];
  const columns: CompileResult["columns"] = {};
  const specs = new Map<string, NodeSpec>();
  const configs = new Map<string, Record<string, unknown>>();
  // Per node, worked out once: the settings that do not apply, and whether its settings parse.
  const hiddenOf = new Map<string, Set<string>>();
  // Nodes whose settings failed: the settings that did (their column checks are not reported
  // again), or null when the settings could not be repaired either (no column checks at all).
  const failedOf = new Map<string, Set<string> | null>();

  if (graph.nodes.length === 0) errors.push({ nodeId: null, path: "nodes", message: "the pipeline has no nodes" });

  for (const node of graph.nodes) {
    if (specs.has(node.id) || configs.has(node.id)) {
      errors.push({ nodeId: node.id, path: "id", message: `node id '${node.id}' is used more than once` });
      continue;
    }
    const spec = getSpec(node.type);
    if (!spec) {
      errors.push({ nodeId: node.id, path: "type", message: `unknown node type '${node.type}'` });
      configs.set(node.id, {});
      continue;
    }
    specs.set(node.id, spec);
    const { parsed, hidden, repaired } = judge(spec, node.config ?? {});
    hiddenOf.set(node.id, hidden);
    const visibleIssue = (path: PropertyKey[]) => !hidden.has(String(path[0] ?? ""));
    if (parsed.success) configs.set(node.id, parsed.data as Record<string, unknown>);
    else {
      failedOf.set(node.id, repaired?.bad ?? null);
      configs.set(node.id, repaired?.config ?? {});
      for (const issue of parsed.error.issues.filter((i) => visibleIssue(i.path))) {
        const param = bound.sources.get(node.id)?.get(String(issue.path[0] ?? ""));
        const message = configMessage(spec, issue);
        errors.push({ nodeId: node.id, path: ["config", ...issue.path].join("."), message: param ? `${message} (the value of parameter '${param}')` : message });
      }
    }
  }

  // Wire edges into per-node inputs.
  const inputs = new Map<string, Record<string, { node: string; port: string }>>();
  const downstream = new Map<string, Set<string>>();
  for (const id of configs.keys()) {
    inputs.set(id, {});
    downstream.set(id, new Set());
  }
  for (const edge of graph.edges) {
    const src = specs.get(edge.source);
    const dst = specs.get(edge.target);
    if (!configs.has(edge.source) || !configs.has(edge.target)) {
      errors.push({
        nodeId: configs.has(edge.target) ? edge.target : null,
        path: `inputs.${edge.targetHandle}`,
        message: `edge ${edge.source} → ${edge.target} refers to a node that does not exist`,
      });
      continue;
    }
    if (!src || !dst) continue; // unknown type, already reported
    const out = src.outputs[edge.sourceHandle];
    const inp = dst.inputs[edge.targetHandle];
    if (!out) {
      errors.push({ nodeId: edge.source, path: `outputs.${edge.sourceHandle}`, message: `${src.label} has no output '${edge.sourceHandle}'` });
      continue;
    }
    if (!inp) {
      errors.push({ nodeId: edge.target, path: `inputs.${edge.targetHandle}`, message: `${dst.label} has no input '${edge.targetHandle}'` });
      continue;
    }
    if (out.type !== inp.type) {
      errors.push({
        nodeId: edge.target,
        path: `inputs.${edge.targetHandle}`,
        message: `input '${inp.label}' takes a ${inp.type}, but ${edge.source} sends a ${out.type}`,
      });
      continue;
    }
    const wired = inputs.get(edge.target)!;
    if (wired[edge.targetHandle]) {
      errors.push({ nodeId: edge.target, path: `inputs.${edge.targetHandle}`, message: `input '${inp.label}' has more than one connection` });
      continue;
    }
    wired[edge.targetHandle] = { node: edge.source, port: edge.sourceHandle };
    downstream.get(edge.source)!.add(edge.target);
  }

  for (const [id, spec] of specs) {
    for (const [port, p] of Object.entries(spec.inputs)) {
      if (!p.optional && !inputs.get(id)![port]) {
        errors.push({ nodeId: id, path: `inputs.${port}`, message: `input '${p.label}' is not connected` });
      }
    }
  }

  // Kahn's algorithm; whatever is left over sits on a cycle.
  const indegree = new Map<string, number>();
  for (const id of configs.keys()) indegree.set(id, 0);
  for (const targets of downstream.values()) for (const t of targets) indegree.set(t, indegree.get(t)! + 1);
  const order: string[] = [];
  const ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const t of downstream.get(id)!) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }
  for (const [id, d] of indegree) {
    if (d > 0) errors.push({ nodeId: id, path: "inputs", message: "node is part of a cycle" });
  }

  // A node that fits on the target belongs on the train side of a split, not before it.
  for (const [id, spec] of specs) {
    if (spec.placement !== "holds-out") continue;
    const seen = new Set<string>();
    const stack = Object.values(inputs.get(id)!).map((w) => w.node);
    while (stack.length) {
      const up = stack.pop()!;
      if (seen.has(up)) continue;
      seen.add(up);
      const upSpec = specs.get(up);
      if (upSpec?.placement === "train-side") {
        errors.push({
          nodeId: up,
          path: "inputs",
          message: `${upSpec.label} runs before ${spec.label} '${id}': the rows the split holds out would be scored with out-of-fold encodings that take other held-out rows' targets, not those an endpoint uses. Connect it after the split, to its Train output`,
        });
      }
      stack.push(...Object.values(inputs.get(up) ?? {}).map((w) => w.node));
    }
  }

  // Column inference in dependency order.
  for (const id of order) {
    const spec = specs.get(id);
    if (!spec?.infer) continue;
    const wired = inputs.get(id)!;
    const inCols: Record<string, ColumnSchema[] | undefined> = {};
    for (const [port, src] of Object.entries(wired)) inCols[port] = columns[src.node]?.[src.port];
    // The settings as parsed above (those that do not apply at their defaults); when they did not
    // parse, the failing ones at their defaults (their own errors are reported already), if that parses.
    const failed = failedOf.get(id);
    if (failed === null) continue;
    const res = spec.infer({ ...ctx, config: configs.get(id)!, inputs: inCols });
    if (res.outputs) columns[id] = res.outputs;
    const hidden = hiddenOf.get(id)!;
    for (const e of res.errors ?? []) {
      if (e.path.startsWith("inputs.")) {
        errors.push({ nodeId: id, path: e.path, message: e.message });
        continue;
      }
      const field = e.path.split(".")[0]!;
      if (hidden.has(field) || failed?.has(field)) continue;
      const param = bound.sources.get(id)?.get(field);
      errors.push({ nodeId: id, path: `config.${e.path}`, message: param ? `${e.message} (the value of parameter '${param}')` : e.message });
    }
  }

  if (errors.length) return { errors, columns, parameters: bound.values };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const plan = order.map((id) => ({
    id,
    type: byId.get(id)!.type,
    config: configs.get(id)!,
    inputs: inputs.get(id)!,
  }));
  return { errors, plan, columns, parameters: bound.values };
}
