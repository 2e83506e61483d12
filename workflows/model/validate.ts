import type { ColumnSchema } from "~/lib/pipeline/document";
import { exampleOf, isDateKind, isWrittenAs } from "~/lib/pipeline/dates";
import type { InputField } from "~/workflows/model/signature";

export const MAX_INSTANCES = 1000;

interface FieldError {
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

/** The response header naming request fields the model ignored. */
export const IGNORED_FIELDS_HEADER = "Millrace-Ignored-Fields";
/** The response header naming features given a category training never saw (scored as a missing value). */
export const UNSEEN_CATEGORIES_HEADER = "Millrace-Unseen-Categories";

/** Field names as a header value: comma-separated, each percent-encoded when it is not plain (names are user text). */
export const fieldsHeader = (fields: string[]) =>
  fields
    .slice(0, 50)
    .map((f) => (/^[A-Za-z0-9_.\-]+$/.test(f) ? f : encodeURIComponent(f)))
    .join(", ")
    .slice(0, 2000);

/** What an endpoint does with a field the model does not know (an `id`, a typo). */
export type UnknownFieldPolicy = "ignore" | "reject";

export interface Validated {
  errors: FieldError[];
  /** Fields no input of the model has (ignored under the "ignore" policy), each once. */
  unknown: string[];
  /** Whether a value was rewritten in its row (a boolean's spelling, such as "Yes", as true). */
  coerced: boolean;
}

/** A boolean as ingest read it: JSON true/false, or the source's own spellings (`Yes`, `N`, …). */
function asBoolean(v: unknown, c: InputField): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v !== "string" || !c.tokens) return undefined;
  if (c.tokens.true.includes(v)) return true;
  if (c.tokens.false.includes(v)) return false;
  return undefined;
}


/** Field lookup per signature, built once: a model's input fields do not change. */
const knownFields = new WeakMap<InputField[], Map<string, InputField>>();

/**
 * Checks each instance against the model's input fields, as the source was read: required
 * fields present, `null` (or the source's spelling of a missing value, converted in place) only
 * where the model can take a missing value, each value of its column's type (booleans also in
 * the source's spellings, converted in place). Optional fields
 * may be left out; unknown ones are collected, and refused under the "reject" policy.
 */
export function validateInstances(instances: unknown[], columns: InputField[], policy: UnknownFieldPolicy = "ignore"): Validated {
  const errors: FieldError[] = [];
  const unknown = new Set<string>();
  let coerced = false;
  let known = knownFields.get(columns);
  if (!known) knownFields.set(columns, (known = new Map(columns.map((c) => [c.name, c]))));
  instances.forEach((inst, i) => {
    if (typeof inst !== "object" || inst === null || Array.isArray(inst)) {
      errors.push({ instance: i, field: "", message: "instance must be a JSON object" });
      return;
    }
    const row = inst as Record<string, unknown>;
    for (const c of columns) {
      if (!Object.hasOwn(row, c.name)) {
        if (!c.optional) errors.push({ instance: i, field: c.name, message: "is required" });
        continue;
      }
      let v = row[c.name];
      if (c.nullable && typeof v === "string" && c.missingTokens?.includes(v)) {
        // Written as the source wrote a missing value (`NA`): missing, as ingest read it.
        row[c.name] = v = null;
        coerced = true;
      }
      if (v === null) {
        if (!c.nullable) errors.push({ instance: i, field: c.name, message: `must be a ${c.type}, not null` });
      } else if (typeof v === "number" && !Number.isFinite(v)) {
        // JSON.parse turns 1e400 into Infinity; say so rather than print it back as null.
        errors.push({ instance: i, field: c.name, message: "is a number out of range" });
      } else if (c.type === "boolean") {
        const b = asBoolean(v, c);
        if (b === undefined) {
          const spellings = c.tokens ? ` (or ${[...c.tokens.true, ...c.tokens.false].map((t) => JSON.stringify(t)).join(", ")})` : "";
          errors.push({ instance: i, field: c.name, message: `must be true or false${spellings}, got ${JSON.stringify(v)?.slice(0, 40)}` });
        } else if (v !== b) {
          row[c.name] = b;
          coerced = true;
        }
      } else if (typeof v !== c.type) {
        errors.push({ instance: i, field: c.name, message: `must be a ${c.type}, got ${JSON.stringify(v)?.slice(0, 40)}` });
      } else if (c.kind === "integer" && !Number.isInteger(v)) {
        // The column held whole numbers only: a fraction is a caller's mistake (a unit, a column mixed up).
        errors.push({ instance: i, field: c.name, message: `must be a whole number (the column holds integers), got ${JSON.stringify(v)}` });
      } else if (isDateKind(c.kind) && !isWrittenAs(v as string, c.kind, c.format)) {
        // A date the model cannot read would silently count as missing: refused instead.
        errors.push({ instance: i, field: c.name, message: `must be a ${c.kind} written like ${exampleOf(c.kind, c.format)}, got ${JSON.stringify(v).slice(0, 40)}` });
      }
    }
    for (const k of Object.keys(row)) {
      if (known.has(k)) continue;
      unknown.add(k);
      if (policy === "reject") errors.push({ instance: i, field: k, message: "is not an input of this model" });
    }
  });
  return { errors, unknown: [...unknown], coerced };
}
