/**
 * Run parameters: values a pipeline declares (a dataset, a target column, a number of trees, …),
 * referenced from node settings as `{"$param": "name"}` and chosen when a run is launched. Binding
 * happens before anything else is checked, so a node's own schema judges the value it will run with;
 * the plan holds plain values and executors never see a reference. Pure, for the canvas, the API and
 * the worker alike.
 */
import { PARAMETER_NAME as PARAM_NAME, valueProblem, type GraphError, type ParameterType, type PipelineGraph, type PipelineParameter } from "./document";

/** A reference to a parameter, as a node setting's whole value. */
export interface ParameterRef {
  $param: string;
}
export const isParameterRef = (v: unknown): v is ParameterRef =>
  !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as ParameterRef).$param === "string";

/**
 * A value from a form or a query string as its parameter's type: "300" is 300 for a number, "true"
 * is true for a boolean. Anything else is left as it came, for `valueProblem` to name.
 */
export function coerceValue(type: ParameterType, v: unknown): unknown {
  if (typeof v !== "string") return v;
  if (type === "number" || type === "integer") return v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  if (type === "boolean") return v === "true" ? true : v === "false" ? false : v;
  return v;
}

export interface BoundGraph {
  graph: PipelineGraph;
  /** Every declared parameter's value in this run: the launcher's, else the default. */
  values: Record<string, unknown>;
  errors: GraphError[];
  /** Which node settings came from which parameter: `nodeId` → field → parameter name. */
  sources: Map<string, Map<string, string>>;
}

/**
 * Puts each parameter's value (chosen, else its default) in every node setting that refers to it.
 * Problems name the parameter (`parameters.<name>`) or the node setting that refers to a parameter
 * the pipeline does not declare.
 */
export function bindParameters(graph: PipelineGraph, chosen: Record<string, unknown> = {}): BoundGraph {
  const errors: GraphError[] = [];
  const declared = new Map<string, PipelineParameter>();
  for (const p of graph.parameters ?? []) {
    if (!PARAM_NAME.test(p.name)) errors.push({ nodeId: null, path: `parameters.${p.name}`, message: `parameter name '${p.name}' must use letters, digits and '_', not starting with a digit` });
    else if (declared.has(p.name)) errors.push({ nodeId: null, path: `parameters.${p.name}`, message: `parameter '${p.name}' is declared twice` });
    else declared.set(p.name, p);
  }
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(chosen)) {
    if (!declared.has(name)) errors.push({ nodeId: null, path: `parameters.${name}`, message: `the pipeline has no parameter '${name}'` });
  }
  for (const [name, p] of declared) {
    const v = Object.hasOwn(chosen, name) ? coerceValue(p.type, chosen[name]) : p.default;
    const problem = valueProblem(p, v);
    if (problem) errors.push({ nodeId: null, path: `parameters.${name}`, message: `parameter '${name}' ${problem}` });
    values[name] = v;
  }
  const sources = new Map<string, Map<string, string>>();
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const refs = Object.entries(node.config ?? {}).filter(([, v]) => isParameterRef(v)) as [string, ParameterRef][];
    if (!refs.length) return node;
    changed = true;
    const config = { ...node.config };
    const fields = new Map<string, string>();
    for (const [key, ref] of refs) {
      if (!declared.has(ref.$param)) {
        errors.push({ nodeId: node.id, path: `config.${key}`, message: `refers to parameter '${ref.$param}', which the pipeline does not declare` });
        delete config[key];
        continue;
      }
      config[key] = values[ref.$param];
      fields.set(key, ref.$param);
    }
    sources.set(node.id, fields);
    return { ...node, config };
  });
  return { graph: changed ? { ...graph, nodes } : graph, values, errors, sources };
}
