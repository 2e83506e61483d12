/**
 * A node of a run, opened: its settings, where its inputs came from, and what it produced — for a
 * dataset the schema (kinds and roles), the first rows and per-column statistics with a
 * histogram (numbers) or the most frequent values (text); for a model its task, target and
 * features. Read from the node's artifacts with DuckDB; artifact paths never leave the server.
 */
import { bindParameters } from "~/lib/pipeline/parameters";
import fs from "node:fs";
import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "~/db/client";
import { runLogs, runNodes, runs } from "~/db/schema";
import { ConflictError, NotFoundError } from "~/lib/errors";
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { ArtifactRef, DatasetRef } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { parquet, quoteIdent, withDuck, writeCsv, type Duck } from "~/workflows/data/duck";
import { fileDownload, type DownloadFormat } from "../http/files";
import { getPipeline } from "../pipelines/repository";

const PREVIEW_ROWS = 20;
/** Columns given statistics (the rest are listed in the schema only). */
const STAT_COLUMNS = 60;
const BINS = 12;

type Cell = string | number | boolean | null;

interface ColumnStats {
  name: string;
  missing: number;
  distinct: number;
  /** Numbers: range, mean and an equal-width histogram over [min, max]. */
  min?: number;
  max?: number;
  mean?: number;
  histogram?: number[];
  /** Text and booleans: the most frequent values. */
  top?: { value: string; count: number }[];
}

/** JSON-safe cells: BigInt and dates as text, numbers as numbers. */
function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
  return String(v);
}

async function columnStats(conn: Duck, relation: string, c: ColumnSchema, rows: number): Promise<ColumnStats> {
  const col = quoteIdent(c.name);
  if (c.type === "number") {
    const [s] = (await conn.runAndReadAll(`SELECT count(${col})::DOUBLE, count(DISTINCT ${col})::DOUBLE, min(${col})::DOUBLE, max(${col})::DOUBLE, avg(${col})::DOUBLE FROM ${relation}`)).getRowsJS();
    const [present, distinct, min, max, mean] = (s ?? []).map((x) => (x === null ? null : Number(x)));
    const base = { name: c.name, missing: rows - (present ?? 0), distinct: distinct ?? 0 };
    if (min === null || max === null || min === undefined || max === undefined) return base;
    const histogram = new Array<number>(BINS).fill(0);
    if (max === min) histogram[0] = present ?? 0;
    else {
      const res = await conn.runAndReadAll(
        `SELECT least(${BINS - 1}, floor((${col}::DOUBLE - ${min}) / (${max - min}) * ${BINS}))::INTEGER AS b, count(*)::DOUBLE FROM ${relation} WHERE ${col} IS NOT NULL AND isfinite(${col}::DOUBLE) GROUP BY b`,
      );
      for (const [b, n] of res.getRowsJS()) histogram[Number(b)] = Number(n);
    }
    return { ...base, min, max, mean: mean ?? undefined, histogram };
  }
  const [s] = (await conn.runAndReadAll(`SELECT count(${col})::DOUBLE, count(DISTINCT ${col})::DOUBLE FROM ${relation}`)).getRowsJS();
  const top = (await conn.runAndReadAll(`SELECT ${col}::VARCHAR AS v, count(*)::DOUBLE AS n FROM ${relation} WHERE ${col} IS NOT NULL GROUP BY v ORDER BY n DESC, v LIMIT 6`)).getRowsJS();
  return { name: c.name, missing: rows - Number(s?.[0] ?? 0), distinct: Number(s?.[1] ?? 0), top: top.map(([v, n]) => ({ value: String(v), count: Number(n) })) };
}

async function describeDataset(artifacts: ArtifactStore, ref: DatasetRef) {
  const file = await artifacts.localPath(ref.uri).catch(() => null);
  if (!file) return { kind: "dataset" as const, rows: ref.rows, columns: ref.columns, preview: null, stats: [], unavailable: "the data is no longer in the artifact store" };
  return withDuck(async (conn) => {
    const relation = parquet(file);
    const select = ref.columns.map((c) => quoteIdent(c.name)).join(", ") || "*";
    const head = await conn.runAndReadAll(`SELECT ${select} FROM ${relation} LIMIT ${PREVIEW_ROWS}`);
    const preview = head.getRowsJS().map((r) => r.map(cell));
    const stats: ColumnStats[] = [];
    for (const c of ref.columns.slice(0, STAT_COLUMNS)) stats.push(await columnStats(conn, relation, c, ref.rows));
    return { kind: "dataset" as const, rows: ref.rows, columns: ref.columns, preview, stats, unavailable: null };
  });
}

/** What a run's node was set to, what fed it, and what it produced. */
export async function inspectNode(db: Db, artifacts: ArtifactStore, runId: string, nodeId: string) {
  const [run] = await db.select({ pipelineId: runs.pipelineId, version: runs.pipelineVersion, parameters: runs.parameters }).from(runs).where(eq(runs.id, runId));
  if (!run) throw new NotFoundError(`run ${runId} not found`);
  const [node] = await db.select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId)));
  if (!node) throw new NotFoundError(`run ${runId} has no node '${nodeId}'`);
  const stored = await getPipeline(db, run.pipelineId, run.version);
  // Settings as the run ran them: a parameter's value, not the reference to it.
  const graph = stored?.parameters?.length ? bindParameters(stored, run.parameters ?? {}).graph : stored;
  const config = graph?.nodes.find((n) => n.id === nodeId)?.config ?? {};
  const inputs = (graph?.edges ?? []).filter((e) => e.target === nodeId).map((e) => ({ port: e.targetHandle, from: { node: e.source, port: e.sourceHandle } }));
  const outputs = [];
  for (const [port, ref] of Object.entries(node.outputs ?? {})) {
    if (ref.kind === "dataset") outputs.push({ port, ...(await describeDataset(artifacts, ref)) });
    else if (ref.kind === "model") outputs.push({ port, kind: "model" as const, task: ref.task, target: ref.target, features: ref.features });
    else if (ref.kind === "metrics") outputs.push({ port, kind: "metrics" as const, values: ref.values });
    else outputs.push({ port, kind: "endpoint" as const, slug: ref.slug, modelVersion: ref.modelVersion });
  }
  return { nodeId, type: node.type, status: node.status, attempt: node.attempt, error: node.error, cache: node.cache, config, inputs, outputs };
}

/** A dataset a node produced, as a file to download (CSV or Parquet), streamed. */
export async function nodeOutputFile(db: Db, artifacts: ArtifactStore, runId: string, nodeId: string, port: string, format: DownloadFormat) {
  const [node] = await db.select({ outputs: runNodes.outputs }).from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId)));
  if (!node) throw new NotFoundError(`run ${runId} has no node '${nodeId}'`);
  const ref: ArtifactRef | undefined = node.outputs?.[port];
  if (!ref) throw new NotFoundError(`node '${nodeId}' produced nothing on '${port}' in this run`);
  if (ref.kind !== "dataset") throw new ConflictError(`'${nodeId}.${port}' is a ${ref.kind}, not a dataset`);
  const source = await artifacts.localPath(ref.uri);
  const base = `${nodeId}-${port}`;
  if (format === "parquet") return fileDownload(source, base, format);
  const dir = await artifacts.scratchDir();
  const csv = `${dir}/out.csv`;
  await withDuck((conn) => writeCsv(conn, parquet(source), csv));
  return fileDownload(csv, base, format, () => fs.promises.rm(dir, { recursive: true, force: true }));
}

/** A node's log lines in this run, oldest first, after line `after` (to follow a running node). */
export async function nodeLog(db: Db, runId: string, nodeId: string, after = 0) {
  const lines = await db
    .select({ id: runLogs.id, attempt: runLogs.attempt, at: runLogs.at, level: runLogs.level, message: runLogs.message, fields: runLogs.fields })
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), eq(runLogs.nodeId, nodeId), gt(runLogs.id, after)))
    .orderBy(asc(runLogs.id))
    .limit(500);
  return { lines };
}
