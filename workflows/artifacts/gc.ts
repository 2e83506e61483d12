/**
 * Garbage collection of cached outputs and artifacts.
 *
 * 1. Cache entries not reused for CACHE_TTL_DAYS are forgotten (a pipeline's deletion already
 *    took its entries with it); batch-scoring jobs finished more than BATCH_RETENTION_DAYS ago
 *    are deleted (the API and the batch page show each job's date).
 * 2. An artifact group — `runs/<run id>`, `datasets/<dataset id>`, `batch/<job id>` — is removed
 *    when nothing holds it any more: its run, dataset or batch job is gone, and no run output,
 *    cache entry, model version or dataset names a file in it. A model a deleted pipeline trained
 *    keeps its file while a model version points to it; a dataset deleted from the workspace keeps
 *    its file while a run read it.
 * 3. Groups written in the last GRACE are never removed: a dataset's file is written before its row,
 *    and a run's before its outputs are recorded.
 *
 * Idempotent, and safe to run from several workers at once.
 */
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import type { ArtifactStore } from "./store";

const GRACE_MS = 60 * 60 * 1000;
const TOPS = ["runs", "datasets", "batch"] as const;
const REF = "artifact:(runs|datasets|batch)/([A-Za-z0-9_-]+)/";

export interface GcResult {
  cacheEntriesForgotten: number;
  batchJobsExpired: number;
  groupsRemoved: string[];
  bytesFreed: number;
}

/** Every group some row still holds: owners that exist, and every artifact URI any record names. */
async function heldGroups(db: Db): Promise<Set<string>> {
  const rows = await db.execute<{ g: string }>(sql`
    select 'runs/' || id as g from run
    union select 'datasets/' || id from dataset
    union select 'batch/' || id from batch_score
    union select m[1] || '/' || m[2] from run_node, regexp_matches(outputs::text, ${REF}, 'g') as m
    union select m[1] || '/' || m[2] from node_cache, regexp_matches(outputs::text, ${REF}, 'g') as m
    union select m[1] || '/' || m[2] from model_version, regexp_matches(artifact_uri, ${REF}, 'g') as m
    union select m[1] || '/' || m[2] from dataset, regexp_matches(artifact_uri, ${REF}, 'g') as m`);
  return new Set([...rows].map((r) => r.g));
}

export async function collectGarbage(db: Db, store: ArtifactStore, opts: { cacheTtlDays: number; batchRetentionDays?: number; now?: Date }): Promise<GcResult> {
  const now = opts.now ?? new Date();
  const forgotten = await db.execute<{ key: string }>(
    sql`delete from node_cache where last_used_at < ${new Date(now.getTime() - opts.cacheTtlDays * 86_400_000).toISOString()}::timestamptz returning key`,
  );
  const expired = opts.batchRetentionDays
    ? await db.execute<{ id: string }>(
        sql`delete from batch_score where status in ('succeeded', 'failed', 'cancelled') and finished_at < ${new Date(now.getTime() - opts.batchRetentionDays * 86_400_000).toISOString()}::timestamptz returning id`,
      )
    : [];
  // Listed before the references are read: a group written after this listing is not looked at.
  const listed = (await Promise.all(TOPS.map(async (top) => (await store.groups(top)).map((g) => ({ top, ...g }))))).flat();
  const held = await heldGroups(db);
  const removed: string[] = [];
  let bytes = 0;
  for (const g of listed) {
    const id = `${g.top}/${g.name}`;
    if (held.has(id) || now.getTime() - g.writtenAt.getTime() < GRACE_MS) continue;
    bytes += await store.removeGroup(g.top, g.name);
    removed.push(id);
  }
  return { cacheEntriesForgotten: [...forgotten].length, batchJobsExpired: [...expired].length, groupsRemoved: removed, bytesFreed: bytes };
}
