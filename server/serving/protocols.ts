/**
 * The request and response shapes of the protocols endpoints speak, as pure functions from a
 * parsed JSON body to rows (objects of raw column values) and from predictions to a body:
 *
 * - Millrace's own: one object, or `{"instances": [...]}` → `{predictions, probabilities?, modelVersion, requestId}`.
 * - MLflow's scoring server (`/invocations`): `dataframe_split`, `dataframe_records`, `instances`
 *   or `inputs` → `{"predictions": [...]}`.
 * - The Open Inference Protocol (KServe v2, Triton): one named tensor per column → named output
 *   tensors `predictions` and, for classifiers, `probabilities`.
 */
import type { Label } from "~/workflows/model/model-file";
import type { InputField } from "~/workflows/model/signature";
import { MAX_INSTANCES, parseInstances } from "~/workflows/model/validate";

export type Parsed = { rows: unknown[]; batch: boolean } | { error: string };

export function millraceRows(body: unknown, inputs: InputField[]): Parsed {
  const parsed = parseInstances(body, MAX_INSTANCES, inputs);
  return "error" in parsed ? parsed : { rows: parsed.instances, batch: parsed.batch };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const tooMany = (n: number) => ({ error: `at most ${MAX_INSTANCES} rows per request, got ${n}` });

// ---------------------------------------------------------------------------------------------
// MLflow

export const MLFLOW_FORMATS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;

/**
 * MLflow's JSON input formats. `instances` and `inputs` take records, or arrays in the order of
 * the model's input fields, or one array per column (`{"col": [...]}`); `params` is accepted and
 * not used.
 */
export function mlflowRows(body: unknown, inputs: InputField[]): Parsed {
  if (!isRecord(body)) return { error: `body must be a JSON object with one of ${MLFLOW_FORMATS.join(", ")}` };
  const given = MLFLOW_FORMATS.filter((f) => f in body);
  if (given.length !== 1) return { error: `the body must have exactly one of ${MLFLOW_FORMATS.join(", ")}${given.length ? `; got ${given.join(", ")}` : ""}` };
  const extra = Object.keys(body).filter((k) => k !== given[0] && k !== "params");
  if (extra.length) return { error: `unknown top-level field${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (MLflow's format allows ${given[0]} and params)` };
  const format = given[0]!;
  const value = body[format];
  let rows: unknown[];
  if (format === "dataframe_split") {
    if (!isRecord(value) || !Array.isArray(value.columns) || !Array.isArray(value.data)) return { error: "dataframe_split must be {columns: [...], data: [[...], ...]}" };
    const columns = value.columns;
    if (!columns.every((c): c is string => typeof c === "string")) return { error: "dataframe_split.columns must be strings" };
    if (value.data.length > MAX_INSTANCES) return tooMany(value.data.length);
    const bad = value.data.findIndex((r) => !Array.isArray(r) || r.length !== columns.length);
    if (bad >= 0) return { error: `dataframe_split.data[${bad}] must be an array of ${columns.length} values (one per column)` };
    rows = (value.data as unknown[][]).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  } else if (format === "dataframe_records") {
    if (!Array.isArray(value)) return { error: "dataframe_records must be an array of records" };
    rows = value;
  } else if (Array.isArray(value)) {
    if (value.every(Array.isArray)) {
      const bad = value.findIndex((r) => (r as unknown[]).length !== inputs.length);
      if (bad >= 0) return { error: `${format}[${bad}] must hold ${inputs.length} values, in the order ${inputs.map((c) => c.name).join(", ")}` };
      rows = (value as unknown[][]).map((r) => Object.fromEntries(inputs.map((c, i) => [c.name, r[i]])));
    } else rows = value;
  } else if (isRecord(value)) {
    // Columnar: {"column": [values...]}.
    const cols = Object.entries(value);
    if (!cols.every(([, v]) => Array.isArray(v))) return { error: `${format} as an object must map each column to an array of values` };
    const n = (cols[0]?.[1] as unknown[] | undefined)?.length ?? 0;
    const bad = cols.find(([, v]) => (v as unknown[]).length !== n);
    if (bad) return { error: `${format}.${bad[0]} has ${(bad[1] as unknown[]).length} values; the other columns have ${n}` };
    rows = Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([c, v]) => [c, (v as unknown[])[i]])));
  } else return { error: `${format} must be an array of records or an object of columns` };
  if (rows.length === 0) return { error: `${format} holds no rows` };
  if (rows.length > MAX_INSTANCES) return tooMany(rows.length);
  return { rows, batch: true };
}

// ---------------------------------------------------------------------------------------------
// Open Inference Protocol (v2)

type Datatype = "BOOL" | "INT64" | "FP64" | "BYTES";
const NUMERIC = new Set(["INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FP16", "FP32", "FP64"]);

/** An input's tensor datatype: INT64 for a column ingest read as integers (it takes whole numbers only). */
export const oipDatatype = (c: Pick<InputField, "type" | "kind">): Datatype => (c.type === "number" ? (c.kind === "integer" ? "INT64" : "FP64") : c.type === "boolean" ? "BOOL" : "BYTES");

/** The datatype of a list of labels: numbers (integers or not), booleans or strings. */
export function labelDatatype(labels: readonly Label[]): Datatype {
  if (labels.length && labels.every((l) => typeof l === "boolean")) return "BOOL";
  if (labels.length && labels.every((l) => typeof l === "number")) return labels.every((l) => Number.isInteger(l)) ? "INT64" : "FP64";
  return "BYTES";
}

/**
 * An inference request: each input tensor is a column, named after a model input, of shape
 * [N] or [N, 1]; `data` flat (or nested one level). `null` in the data is a missing value.
 */
export function oipRows(body: unknown): Parsed & { id?: string; outputs?: string[] } {
  if (!isRecord(body) || !Array.isArray(body.inputs) || body.inputs.length === 0) return { error: "body must be an inference request: {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]}" };
  if (body.id !== undefined && typeof body.id !== "string") return { error: "id must be a string" };
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs) || !body.outputs.every((o) => isRecord(o) && typeof o.name === "string")) return { error: "outputs must be a list of {\"name\"}" };
    outputs = body.outputs.map((o) => (o as { name: string }).name);
  }
  let n = -1;
  const columns: [string, unknown[]][] = [];
  for (const [i, t] of body.inputs.entries()) {
    const at = `inputs[${i}]`;
    if (!isRecord(t) || typeof t.name !== "string") return { error: `${at} must have a name` };
    const name = t.name;
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) return { error: `${at} (${name}): shape must be a list of sizes` };
    const shape = t.shape as number[];
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) return { error: `${at} (${name}): shape must be [N] or [N, 1] (one tensor per column), got [${shape.join(", ")}]` };
    if (typeof t.datatype !== "string") return { error: `${at} (${name}): datatype is required` };
    if (!Array.isArray(t.data)) return { error: `${at} (${name}): data must be an array` };
    const data = (t.data as unknown[]).flat();
    if (data.length !== shape[0]) return { error: `${at} (${name}): shape says ${shape[0]} values, data has ${data.length}` };
    const dt = t.datatype;
    const integer = dt.startsWith("INT") || dt.startsWith("UINT");
    const wrong = data.findIndex(
      (v) => v !== null && (dt === "BYTES" ? typeof v !== "string" : dt === "BOOL" ? typeof v !== "boolean" : NUMERIC.has(dt) ? typeof v !== "number" || (integer && !Number.isInteger(v)) : true),
    );
    if (columns.some(([c]) => c === name)) return { error: `${at} (${name}): another input has the same name` };
    if (!(dt === "BYTES" || dt === "BOOL" || NUMERIC.has(dt))) return { error: `${at} (${name}): datatype ${dt} is not supported (BOOL, BYTES, INT*, UINT*, FP*)` };
    if (wrong >= 0) return { error: `${at} (${name}): data[${wrong}] is not ${dt}: ${JSON.stringify(data[wrong])?.slice(0, 40)}` };
    if (n >= 0 && data.length !== n) return { error: `${at} (${name}) has ${data.length} rows; the inputs before it have ${n}` };
    n = data.length;
    columns.push([name, data]);
  }
  if (n === 0) return { error: "the inputs hold no rows" };
  if (n > MAX_INSTANCES) return tooMany(n);
  const rows = Array.from({ length: n }, (_, r) => Object.fromEntries(columns.map(([c, v]) => [c, v[r]])));
  return { rows, batch: true, id: body.id as string | undefined, outputs };
}

export interface OipOutput {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}

export function oipOutputs(predictions: Label[], probabilities: Record<string, number>[] | undefined, classes: readonly Label[] | null): OipOutput[] {
  const out: OipOutput[] = [{ name: "predictions", datatype: labelDatatype(predictions), shape: [predictions.length], data: predictions }];
  if (probabilities && classes) {
    out.push({
      name: "probabilities",
      datatype: "FP64",
      shape: [probabilities.length, classes.length],
      data: probabilities.flatMap((p) => classes.map((c) => p[String(c)] ?? 0)),
      // Column order of the matrix.
      parameters: { classes: classes.map(String) },
    });
  }
  return out;
}
