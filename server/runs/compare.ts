/**
 * Runs side by side: what each ran (pipeline and version, status, time), their settings node by
 * node and their parameters, with the differences marked, and their metrics with the best of each marked.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "~/db/client";
import { runs } from "~/db/schema";
import { InvalidError, NotFoundError } from "~/lib/errors";
import { compareSettings } from "~/lib/pipeline/diff";
import { isCount, lowerIsBetter } from "~/lib/pipeline/metrics";
import { getRun } from "./service";


export async function compareRuns(db: Db, workspaceId: string, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length < 2) throw new InvalidError("pick at least two runs to compare");
  if (unique.length > 6) throw new InvalidError("compare at most six runs at once");
  const found = await db.select({ id: runs.id }).from(runs).where(and(eq(runs.workspaceId, workspaceId), inArray(runs.id, unique)));
  const missing = unique.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundError(`run ${missing[0]} not found`);
  const loaded = await Promise.all(unique.map((id) => getRun(db, id)));
  // Settings as each run ran them (getRun puts each parameter's value in place).
  const settings = compareSettings(loaded.map((r) => r.graph));
  const parameterNames = [...new Set(loaded.flatMap((r) => Object.keys(r.parameters ?? {})))].sort();
  const parameters = parameterNames.map((name) => {
    const values = loaded.map((r) => r.parameters?.[name]);
    return { name, values, differs: values.some((v) => v !== values[0]) };
  });
  const names = [...new Set(loaded.flatMap((r) => Object.keys(r.metrics)))].sort();
  const metrics = names.map((name) => {
    const values = loaded.map((r) => r.metrics[name]);
    const known = values.filter((v): v is number => v !== undefined);
    const better = isCount(name) ? null : lowerIsBetter(name) ? "lower" : "higher";
    const best = better && known.length > 1 && new Set(known).size > 1 ? (better === "lower" ? Math.min(...known) : Math.max(...known)) : undefined;
    return { name, values, best, better };
  });
  return {
    runs: loaded.map((r) => ({
      id: r.id,
      pipelineId: r.pipelineId,
      pipelineName: r.pipelineName,
      pipelineVersion: r.pipelineVersion,
      status: r.status,
      createdAt: r.createdAt,
      durationMs: r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : null,
    })),
    parameters,
    settings,
    metrics,
  };
}
