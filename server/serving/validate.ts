import type { ColumnSchema } from "~/lib/pipeline/document";

export const MAX_INSTANCES = 1000;

export interface FieldError {
  instance: number;
  field: string;
  message: string;
}

/**
 * The body is one object of raw feature values, or `{"instances": [...]}`. When the model itself
 * has an input named `instances`, a body is a batch only if that is its one field and it holds
 * an array of objects.
 */
export function parseInstances(body: unknown, maxInstances: number, columns: ColumnSchema[] = []): { instances: unknown[]; batch: boolean } | { error: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { error: 'body must be a JSON object of feature values, or {"instances": [ ... ]}' };
  }
  const inst = (body as { instances?: unknown }).instances;
  const ambiguous = columns.some((c) => c.name === "instances");
  const batch = "instances" in body && (!ambiguous || (Object.keys(body).length === 1 && Array.isArray(inst) && inst.every((i) => typeof i === "object" && i !== null && !Array.isArray(i))));
  if (batch) {
    if (!Array.isArray(inst)) return { error: "'instances' must be an array" };
    if (inst.length === 0) return { error: "'instances' is empty" };
    if (inst.length > maxInstances) return { error: `at most ${maxInstances} instances per request, got ${inst.length}` };
    if (Object.keys(body).length > 1) return { error: "with 'instances', no other top-level fields are allowed" };
    return { instances: inst, batch: true };
  }
  return { instances: [body], batch: false };
}

/** Checks each instance against the raw input columns: every field present, no extras, right types. */
export function validateInstances(instances: unknown[], columns: ColumnSchema[]): FieldError[] {
  const errors: FieldError[] = [];
  const known = new Map(columns.map((c) => [c.name, c]));
  instances.forEach((inst, i) => {
    if (typeof inst !== "object" || inst === null || Array.isArray(inst)) {
      errors.push({ instance: i, field: "", message: "instance must be a JSON object" });
      return;
    }
    const row = inst as Record<string, unknown>;
    for (const c of columns) {
      if (!(c.name in row)) {
        errors.push({ instance: i, field: c.name, message: "is required" });
        continue;
      }
      const v = row[c.name];
      if (v === null) {
        if (!c.nullable) errors.push({ instance: i, field: c.name, message: `must be a ${c.type}, not null` });
      } else if (typeof v === "number" && !Number.isFinite(v)) {
        // JSON.parse turns 1e400 into Infinity; say so rather than print it back as null.
        errors.push({ instance: i, field: c.name, message: "is a number out of range" });
      } else if (typeof v !== c.type) {
        errors.push({ instance: i, field: c.name, message: `must be a ${c.type}, got ${JSON.stringify(v)?.slice(0, 40)}` });
      }
    }
    for (const k of Object.keys(row)) {
      if (!known.has(k)) errors.push({ instance: i, field: k, message: "is not an input of this model" });
    }
  });
  return errors;
}
