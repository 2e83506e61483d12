/**
 * Garbage collection on both artifact stores: expired cache entries are forgotten; an artifact
 * group goes only when nothing holds it (its run, dataset or job gone, and no run output, cache
 * entry, model version or dataset naming a file in it), and never within the grace period.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { batchScores, datasets, DEFAULT_WORKSPACE_ID, modelVersions, nodeCache, pipelines, runNodes, runs } from "~/db/schema";
import { collectGarbage } from "./gc";
import { FsArtifactStore, PostgresArtifactStore, type ArtifactStore } from "./store";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-gc-"));
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

const stores: [string, () => ArtifactStore][] = [
  ["fs", () => new FsArtifactStore(fs.mkdtempSync(path.join(dir, "fs-")))],
  ["postgres", () => new PostgresArtifactStore(db(), fs.mkdtempSync(path.join(dir, "pg-")))],
];
const later = () => new Date(Date.now() + 2 * 3600_000);

describe.each(stores)("garbage collection (%s store)", (kind, make) => {
  it("removes what nothing holds, keeps what anything holds, and forgets stale cache entries", async () => {
    const store = make();
    const [p] = await db().insert(pipelines).values({ workspaceId: DEFAULT_WORKSPACE_ID, name: "gc" }).returning();
    const [live] = await db().insert(runs).values({ workspaceId: DEFAULT_WORKSPACE_ID, pipelineId: p!.id, pipelineVersion: 1 }).returning();
    const gone = randomUUID(); // a run of a deleted pipeline: no row, nothing names it
    const trained = randomUUID(); // a deleted pipeline's run whose model is still a version
    const cached = randomUUID(); // a deleted run whose output a cache entry still names
    const readDataset = randomUUID(); // a deleted dataset a run read
    const orphanDataset = randomUUID();
    const orphanBatch = randomUUID();
    const [ds] = await db().insert(datasets).values({ workspaceId: DEFAULT_WORKSPACE_ID, name: "gc-data", artifactUri: "artifact:datasets/x/data.parquet", rows: 1, columns: [] }).returning();
    await db().update(datasets).set({ artifactUri: `artifact:datasets/${ds!.id}/data.parquet` }).where(eq(datasets.id, ds!.id));

    // The Postgres store shares its table with other tests: judge only the groups made here.
    const ours = new Set([live!.id, gone, trained, cached].map((id) => `runs/${id}`).concat([ds!.id, readDataset, orphanDataset].map((id) => `datasets/${id}`), [`batch/${orphanBatch}`]));
    const mine = (r: { groupsRemoved: string[] }) => r.groupsRemoved.filter((g) => ours.has(g)).sort();
    const put = (key: string, bytes = 10) => store.putBytes(key, new Uint8Array(bytes));
    await put(`runs/${live!.id}/train/model.json`);
    await put(`runs/${gone}/clean/dataset.parquet`, 100);
    await put(`runs/${gone}/train/model.json`, 50);
    await put(`runs/${trained}/train/model.json`);
    await put(`runs/${cached}/clean/dataset.parquet`);
    await put(`datasets/${ds!.id}/data.parquet`);
    await put(`datasets/${readDataset}/data.parquet`);
    await put(`datasets/${orphanDataset}/data.parquet`, 7);
    await put(`batch/${orphanBatch}/scored.csv`, 3);

    await db().insert(runNodes).values({ runId: live!.id, nodeId: "ingest", type: "csv-dataset", outputs: { dataset: { kind: "dataset", uri: `artifact:datasets/${readDataset}/data.parquet`, rows: 1, columns: [], lineage: { rawColumns: [], steps: [] } } } });
    const [mv] = await db()
      .insert(modelVersions)
      .values({ workspaceId: DEFAULT_WORKSPACE_ID, name: `gc-model-${randomUUID()}`, version: 1, nodeId: "train", artifactUri: `artifact:runs/${trained}/train/model.json`, task: "classification" })
      .returning();
    const entry = (key: string, runId: string, lastUsedAt: Date) => ({
      key,
      workspaceId: DEFAULT_WORKSPACE_ID,
      pipelineId: p!.id,
      nodeId: "clean",
      type: "fill-missing",
      config: {},
      inputs: {},
      outputs: { dataset: { kind: "dataset" as const, uri: `artifact:runs/${runId}/clean/dataset.parquet`, rows: 1, columns: [], lineage: { rawColumns: [], steps: [] } } },
      runId,
      lastUsedAt,
    });
    const fresh = `gc-fresh-${randomUUID()}`;
    const stale = `gc-stale-${randomUUID()}`;
    await db().insert(nodeCache).values([entry(fresh, cached, new Date()), entry(stale, gone, new Date(Date.now() - 40 * 86_400_000))]);

    // Within the grace period nothing is removed, whatever holds it.
    const early = await collectGarbage(db(), store, { cacheTtlDays: 30 });
    expect(mine(early)).toEqual([]);
    expect(early.cacheEntriesForgotten).toBeGreaterThanOrEqual(1);
    expect(await db().select({ key: nodeCache.key }).from(nodeCache).where(inArray(nodeCache.key, [fresh, stale]))).toEqual([{ key: fresh }]);

    const res = await collectGarbage(db(), store, { cacheTtlDays: 30, now: later() });
    expect(mine(res)).toEqual([`batch/${orphanBatch}`, `datasets/${orphanDataset}`, `runs/${gone}`].sort());
    // Exactly what ours held (the shared Postgres table may hold other tests' leftovers too).
    if (kind === "fs") expect(res.bytesFreed).toBe(100 + 50 + 7 + 3);
    else expect(res.bytesFreed).toBeGreaterThanOrEqual(100 + 50 + 7 + 3);
    await expect(store.getBytes(`artifact:runs/${gone}/train/model.json`)).rejects.toThrow();
    for (const kept of [`runs/${live!.id}/train/model.json`, `runs/${trained}/train/model.json`, `runs/${cached}/clean/dataset.parquet`, `datasets/${ds!.id}/data.parquet`, `datasets/${readDataset}/data.parquet`]) {
      expect((await store.getBytes(`artifact:${kept}`)).length).toBe(10);
    }
    // Again: nothing more to do.
    expect(mine(await collectGarbage(db(), store, { cacheTtlDays: 30, now: later() }))).toEqual([]);

    // When the model version and the cache entry go, their groups go with the next collection.
    await db().delete(modelVersions).where(eq(modelVersions.id, mv!.id));
    await db().delete(nodeCache).where(eq(nodeCache.key, fresh));
    const after = await collectGarbage(db(), store, { cacheTtlDays: 30, now: later() });
    expect(mine(after)).toEqual([`runs/${cached}`, `runs/${trained}`].sort());
    await db().delete(pipelines).where(eq(pipelines.id, p!.id));
    await db().delete(datasets).where(eq(datasets.id, ds!.id));
  });

  it("deletes batch-scoring jobs finished longer ago than their retention, with their files, and nothing else", async () => {
    const store = make();
    const [mv] = await db()
      .insert(modelVersions)
      .values({ workspaceId: DEFAULT_WORKSPACE_ID, name: `gc-batch-${randomUUID()}`, version: 1, nodeId: "train", artifactUri: "artifact:runs/x/train/model.json", task: "classification" })
      .returning();
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const job = async (status: "succeeded" | "failed" | "running", finishedAt: Date | null) => {
      const [j] = await db().insert(batchScores).values({ workspaceId: DEFAULT_WORKSPACE_ID, modelVersionId: mv!.id, datasetName: "gc", rowsTotal: 1, chunkRows: 1, status, finishedAt, createdAt: days(45) }).returning();
      await store.putBytes(`batch/${j!.id}/scored.csv`, new Uint8Array(5));
      return j!.id;
    };
    const old = await job("succeeded", days(40));
    const oldFailed = await job("failed", days(31));
    const recent = await job("succeeded", days(5));
    const running = await job("running", null); // started long ago, still running: never expired
    const ours = new Set([old, oldFailed, recent, running].map((id) => `batch/${id}`));
    const mine = (r: { groupsRemoved: string[] }) => r.groupsRemoved.filter((g) => ours.has(g)).sort();

    // 0 keeps every job.
    expect(mine(await collectGarbage(db(), store, { cacheTtlDays: 30, batchRetentionDays: 0, now: later() }))).toEqual([]);
    const res = await collectGarbage(db(), store, { cacheTtlDays: 30, batchRetentionDays: 30, now: later() });
    expect(res.batchJobsExpired).toBeGreaterThanOrEqual(2);
    expect(mine(res)).toEqual([`batch/${old}`, `batch/${oldFailed}`].sort());
    const left = await db().select({ id: batchScores.id }).from(batchScores).where(inArray(batchScores.id, [old, oldFailed, recent, running]));
    expect(left.map((r) => r.id).sort()).toEqual([recent, running].sort());
    expect((await store.getBytes(`artifact:batch/${recent}/scored.csv`)).length).toBe(5);
    await db().delete(batchScores).where(inArray(batchScores.id, [recent, running]));
    await db().delete(modelVersions).where(eq(modelVersions.id, mv!.id));
  });
});
