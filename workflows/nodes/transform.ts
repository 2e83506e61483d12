/**
 * What transform executors share: failing on the first config problem the data shows, writing the
 * node's dataset with its lineage one step longer, exact doubles in SQL, and output names.
 */
import { UserError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { DatasetRef, LineageStep } from "~/lib/pipeline/plan";
import { describe, parquet, quoteString, writeParquet, type Duck } from "~/workflows/data/duck";
import type { Problem } from "./columns";
import { artifactKey, type ExecContext, type ExecResult } from "./executor";

/** A config problem the compiler would have named, found on the data that arrived: the run fails on the first. */
export function failOn(errors: Problem[]) {
  if (errors[0]) throw new UserError(errors[0].message);
}

/**
 * Writes the rows `select` returns as the node's dataset: described like `written` and the input
 * (kinds and roles survive), its lineage one step longer.
 */
export async function writeDataset(
  ctx: Pick<ExecContext<unknown>, "artifacts" | "scratchDir" | "runId" | "nodeId">,
  conn: Duck,
  src: DatasetRef,
  select: string,
  written: ColumnSchema[],
  step: LineageStep,
): Promise<ExecResult> {
  const out = `${await ctx.scratchDir()}/data.parquet`;
  await writeParquet(conn, select, out);
  // The written columns first: a column replaced by another type takes their metadata, not the input's.
  const shape = await describe(conn, parquet(out), [...written, ...src.columns]);
  const uri = await ctx.artifacts.putFile(artifactKey(ctx, "dataset.parquet"), out);
  return { outputs: { dataset: { kind: "dataset", uri, ...shape, lineage: { ...src.lineage, steps: [...src.lineage.steps, step] } } } };
}

/** A double as SQL, exactly: parsed from the shortest text that reads back as the same number. */
export const double = (x: number) => `${quoteString(String(x))}::DOUBLE`;

/** Output names must not meet the input's columns or each other. */
export function claimNames(names: string[], kept: ColumnSchema[], what: string) {
  const taken = new Set(kept.map((c) => c.name));
  for (const n of names) {
    if (taken.has(n)) throw new UserError(`${what} would write a column '${n}', which already exists; rename that column first`);
    taken.add(n);
  }
}

