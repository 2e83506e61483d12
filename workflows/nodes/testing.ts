/**
 * Runs node executors outside Temporal against a throwaway filesystem artifact store: for
 * the unit tests in each node folder.
 */
import fs from "node:fs";
import type { Db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID } from "~/db/schema";
import { UserError } from "~/lib/errors";
import type { ColumnRole, ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactRef, DatasetRef } from "~/lib/pipeline/plan";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { describe as describeRelation, parquet, quoteString, withDuck, writeParquet } from "~/workflows/data/duck";
import { isFanOut, type DefinedExecutor, type ExecContext, type ExecResult } from "./executor";
import { getSpec } from "./registry";

/** Writes CSV text as a Parquet dataset and returns its reference, as ingest would (with the roles given). */
export async function datasetFromCsv(store: FsArtifactStore, key: string, csv: string, roles: Record<string, ColumnRole> = {}): Promise<DatasetRef> {
  const dir = await store.scratchDir();
  fs.writeFileSync(`${dir}/in.csv`, csv);
  return withDuck(async (conn) => {
    await writeParquet(conn, `SELECT * FROM read_csv(${quoteString(`${dir}/in.csv`)}, header = true)`, `${dir}/out.parquet`);
    const described = await describeRelation(conn, parquet(`${dir}/out.parquet`));
    const shape = { ...described, columns: described.columns.map((c) => (roles[c.name] ? { ...c, role: roles[c.name] } : c)) };
    const uri = await store.putFile(key, `${dir}/out.parquet`);
    return { kind: "dataset", uri, ...shape, lineage: { rawColumns: shape.columns, steps: [] } };
  });
}

export interface RunOptions {
  nodeId?: string;
  db?: Db;
  runId?: string;
  workspaceId?: string;
  secrets?: Record<string, string>;
  progress?: (key: string, done: number, total: number) => void;
  /** Worker processes the executor is told there are (default 1). */
  workers?: number;
  /** Collects the executor's log lines. */
  log?: { message: string; fields?: Record<string, unknown> }[];
}

/**
 * Runs an executor as the worker would — config parsed with its spec's defaults, fan-out
 * slices one after another, then merge.
 */
export async function runExecutor(
  store: FsArtifactStore,
  executor: DefinedExecutor,
  config: Record<string, unknown>,
  inputs: Record<string, ArtifactRef>,
  opts: RunOptions = {},
): Promise<ExecResult & { slices: number }> {
  const scratch: string[] = [];
  const ctx: ExecContext<Record<string, unknown>> = {
    runId: opts.runId ?? "00000000-0000-0000-0000-000000000001",
    workspaceId: opts.workspaceId ?? DEFAULT_WORKSPACE_ID,
    startedBy: null,
    nodeId: opts.nodeId ?? "node",
    config: getSpec(executor.type)!.config.parse(config) as Record<string, unknown>,
    inputs,
    artifacts: store,
    scratchDir: async () => {
      const dir = await store.scratchDir();
      scratch.push(dir);
      return dir;
    },
    db: opts.db ?? (undefined as unknown as Db),
    secret: async (name) => {
      const value = opts.secrets?.[name];
      if (value === undefined) throw new UserError(`secret '${name}' does not exist in this workspace`);
      return value;
    },
    heartbeat: () => {},
    workers: async () => opts.workers ?? 1,
    progress: opts.progress ?? (() => {}),
    log: (message, fields) => opts.log?.push({ message, fields }),
    signal: new AbortController().signal,
  };
  try {
    const res = await executor.execute(ctx);
    if (!isFanOut(res)) return { ...res, slices: 1 };
    const parts = [];
    for (const [i, task] of res.fanOut.tasks.entries()) parts.push(await executor.slice!(ctx, task, i));
    return { ...(await executor.merge!(ctx, res.fanOut.state, parts)), slices: parts.length };
  } finally {
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function readRows(store: FsArtifactStore, ref: ArtifactRef) {
  if (ref.kind !== "dataset") throw new Error("not a dataset");
  const file = await store.localPath(ref.uri);
  const rows = await withDuck(async (conn) => (await conn.runAndReadAll(`SELECT * FROM ${parquet(file)}`)).getRowObjectsJS());
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
}

/**
 * Training/serving parity for a transform node: replays the lineage steps the node added (its
 * spec's `replay`, what an endpoint runs) on each input row, and returns those rows beside the
 * rows the executor wrote, for the test to compare. Rows must be in the same order (a transform
 * that keeps every row).
 */
export async function replayed(store: FsArtifactStore, input: DatasetRef, output: DatasetRef) {
  const added = output.lineage.steps.slice(input.lineage.steps.length);
  const apply = added.map((step) => {
    const replay = getSpec(step.type)?.replay;
    if (!replay) throw new Error(`'${step.type}' has no replay`);
    return replay(step.params as never);
  });
  const inRows = await readRows(store, input);
  const served = inRows.map((raw) => {
    const row = { ...raw };
    for (const f of apply) f(row);
    return Object.fromEntries(output.columns.map((c) => [c.name, row[c.name] ?? null]));
  });
  return { served, written: await readRows(store, output) };
}

/** The demo dataset's columns as ingest types them: the compile tests' upstream schema. */
export const demoColumns: ColumnSchema[] = [
  { name: "feature_1", type: "number", nullable: true },
  { name: "feature_2", type: "number", nullable: true },
  { name: "feature_3", type: "number", nullable: true },
  { name: "feature_4", type: "number", nullable: false },
  { name: "target", type: "number", nullable: false },
];
