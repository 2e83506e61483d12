/**
 * A model's input signature: the raw fields an endpoint serving it accepts. Every ingested
 * column but the target is accepted as it was written in the source; the ones no feature is
 * computed from are optional, and `null` is accepted wherever the model can handle a missing value.
 */
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { LineageStep } from "~/lib/pipeline/plan";
import { getSpec } from "~/workflows/nodes/registry";
import type { ModelMeta } from "./model-file";

/** A raw field of a request; `optional` when no feature of the model is computed from it. */
export type InputField = ColumnSchema & { optional?: true };

/**
 * The raw columns the model's features are computed from: walking the fitted steps backwards,
 * each column a step writes is replaced by the columns it reads (its spec's `reads`).
 */
export function neededColumns(steps: LineageStep[], features: string[]): Set<string> {
  const needed = new Set(features);
  for (const step of [...steps].reverse()) {
    const reads = getSpec(step.type)?.reads?.(step.params as never);
    if (!reads) continue;
    for (const [written, sources] of Object.entries(reads)) {
      if (!needed.has(written)) continue;
      needed.delete(written);
      for (const s of sources) needed.add(s);
    }
  }
  return needed;
}

/** The ingested columns but the target: needed ones required, the rest optional. */
export function inputColumns(m: Pick<ModelMeta, "lineage" | "target" | "features" | "engine">): InputField[] {
  const needed = neededColumns(m.lineage.steps, m.features);
  // The histogram engine routes a missing value down the side learnt at each split; the other
  // engine trained only on columns without gaps (or filled by a step that fills them here too).
  const missingHandled = m.engine === "histogram";
  return m.lineage.rawColumns
    .filter((c) => c.name !== m.target)
    .map((c) => (needed.has(c.name) ? { ...c, nullable: c.nullable || missingHandled } : { ...c, nullable: true, optional: true as const }));
}

/**
 * How a new signature differs from the one callers use now, one line per field; empty when
 * existing requests keep working unchanged.
 */
export function signatureChanges(current: InputField[], next: InputField[]): string[] {
  const before = new Map(current.map((c) => [c.name, c]));
  const after = new Map(next.map((c) => [c.name, c]));
  const changes: string[] = [];
  for (const c of next) {
    const old = before.get(c.name);
    if (!old) {
      if (!c.optional) changes.push(`'${c.name}' (${c.type}) is new and required`);
    } else if (old.type !== c.type) changes.push(`'${c.name}' changes from ${old.type} to ${c.type}`);
    else if (old.optional && !c.optional) changes.push(`'${c.name}' becomes required`);
    else if (old.nullable && !c.nullable) changes.push(`'${c.name}' no longer accepts null`);
    else if (c.kind === "integer" && old.kind !== "integer" && c.type === "number") changes.push(`'${c.name}' takes whole numbers only`);
  }
  for (const c of current) if (!after.has(c.name) && !c.optional) changes.push(`'${c.name}' is no longer accepted`);
  return changes;
}
