/**
 * Which settings of a node apply: a field's `visibleWhen` (in its zod `.meta()`, so it reaches the
 * JSON Schema the inspector and the compiler read) names values of other fields it matters for.
 * A field that does not apply is hidden in the inspector, keeps its value, and the compiler says
 * nothing about it (its executor ignores it). Pure, for the canvas and the server alike.
 */
import { isParameterRef } from "./parameters";

type FieldValue = string | number | boolean;
/** Every named field has one of the listed values (for a list or a per-column map, one of its values does). */
type Condition = Readonly<Record<string, readonly FieldValue[]>>;
/** One condition, or several of which any may hold. */
export type VisibleWhen = Condition | readonly Condition[];

interface Field {
  default?: unknown;
  enum?: unknown[];
  visibleWhen?: VisibleWhen;
}

function holds(condition: Condition, config: Record<string, unknown>, fields: Record<string, Field>) {
  return Object.entries(condition).every(([field, values]) => {
    const v = config[field];
    // A run parameter may take any value, and an invalid choice decides nothing: what they govern stays in view.
    if (isParameterRef(v) || (fields[field]?.enum && !fields[field].enum.includes(v))) return true;
    const present = Array.isArray(v) ? v : v && typeof v === "object" ? Object.values(v) : [v];
    return present.some((x) => values.includes(x as FieldValue));
  });
}

function applies(when: VisibleWhen | undefined, config: Record<string, unknown>, fields: Record<string, Field>) {
  if (!when) return true;
  return Array.isArray(when) ? (when as readonly Condition[]).some((c) => holds(c, config, fields)) : holds(when as Condition, config, fields);
}

/** The fields (JSON Schema properties: defaults, choices, conditions) that do not apply to a config. */
export function hiddenFields(fields: Record<string, Field>, config: Record<string, unknown>): Set<string> {
  const effective: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fields)) effective[k] = config[k] ?? f.default;
  return new Set(Object.entries(fields).filter(([, f]) => !applies(f.visibleWhen, effective, fields)).map(([k]) => k));
}
