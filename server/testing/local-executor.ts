/**
 * Runs node executors outside Temporal against a throwaway filesystem artifact store:
 * for unit tests of executors that need no database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "../../db/client";
import { isFanOut, type ExecContext, type ExecResult, type NodeExecutor } from "../../workflows/nodes/executor";
import type { ArtifactRef, DatasetRef } from "../../workflows/plan";
import { FsArtifactStore } from "../artifacts/store";
import { describe as describeRelation, parquet, quoteString, withDuck, writeParquet } from "../data/duck";

export function tempStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-unit-"));
  return { store: new FsArtifactStore(dir), dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes CSV text as a Parquet dataset and returns its reference, as ingest would. */
export async function datasetFromCsv(store: FsArtifactStore, key: string, csv: string): Promise<DatasetRef> {
  const dir = await store.scratchDir();
  fs.writeFileSync(`${dir}/in.csv`, csv);
  return withDuck(async (conn) => {
    await writeParquet(conn, `SELECT * FROM read_csv(${quoteString(`${dir}/in.csv`)}, header = true)`, `${dir}/out.parquet`);
    const shape = await describeRelation(conn, parquet(`${dir}/out.parquet`));
    const uri = await store.putFile(key, `${dir}/out.parquet`);
    return { kind: "dataset", uri, ...shape, lineage: { rawColumns: shape.columns, steps: [] } };
  });
}

/** Runs an executor as the worker would, including fan-out: slices run one after another, then merge. */
export async function runExecutor<C>(
  store: FsArtifactStore,
  executor: NodeExecutor<C>,
  config: C,
  inputs: Record<string, ArtifactRef>,
  nodeId = "node",
  progress: (key: string, done: number, total: number) => void = () => {},
): Promise<ExecResult & { slices: number }> {
  const ctx: ExecContext<C> = {
    runId: "00000000-0000-0000-0000-000000000001",
    nodeId,
    config,
    inputs,
    artifacts: store,
    db: undefined as unknown as Db,
    heartbeat: () => {},
    progress,
    signal: new AbortController().signal,
  };
  if (typeof executor === "function") {
    const res = await executor(ctx);
    if (isFanOut(res)) throw new Error("a plain executor returned a fan-out");
    return { ...res, slices: 1 };
  }
  const res = await executor.execute(ctx);
  if (!isFanOut(res)) return { ...res, slices: 1 };
  const parts = [];
  for (const [i, task] of res.fanOut.tasks.entries()) parts.push(await executor.slice(ctx, task, i));
  return { ...(await executor.merge(ctx, res.fanOut.state, parts)), slices: parts.length };
}

export async function readRows(store: FsArtifactStore, ref: ArtifactRef) {
  if (ref.kind !== "dataset") throw new Error("not a dataset");
  const file = await store.localPath(ref.uri);
  const rows = await withDuck(async (conn) => (await conn.runAndReadAll(`SELECT * FROM ${parquet(file)}`)).getRowObjectsJS());
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}
