/** A model's input signature: the raw columns an endpoint serving it accepts. */
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ModelMeta } from "./model-file";

/** The ingested columns, minus the target. */
export const inputColumns = (m: Pick<ModelMeta, "lineage" | "target">): ColumnSchema[] =>
  m.lineage.rawColumns.filter((c) => c.name !== m.target);

/**
 * How a new signature differs from the one callers use now, one line per field; empty when
 * existing requests keep working unchanged.
 */
export function signatureChanges(current: ColumnSchema[], next: ColumnSchema[]): string[] {
  const before = new Map(current.map((c) => [c.name, c]));
  const after = new Map(next.map((c) => [c.name, c]));
  const changes: string[] = [];
  for (const c of next) {
    const old = before.get(c.name);
    if (!old) changes.push(`'${c.name}' (${c.type}) is new and required`);
    else if (old.type !== c.type) changes.push(`'${c.name}' changes from ${old.type} to ${c.type}`);
    else if (old.nullable && !c.nullable) changes.push(`'${c.name}' no longer accepts null`);
  }
  for (const c of current) if (!after.has(c.name)) changes.push(`'${c.name}' is no longer accepted`);
  return changes;
}
