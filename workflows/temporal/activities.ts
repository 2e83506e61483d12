/**
 * Activities: the worker-side half of a run. Each runs one node's executor (found by its
 * type) with heartbeats and throttled progress, and records the outcome in Postgres. Created
 * from a factory so tests can inject their own database and artifact store.
 */
import fs from "node:fs/promises";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { runNodes, runs } from "~/db/schema";
import { withoutLocalPaths } from "~/lib/env";
import { isDeterministic, messageOf, UserError } from "~/lib/errors";
import { runMetrics, type ArtifactRef, type NodeStatus, type PlanNode } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { isFanOut, oversizedOutputs, type DefinedExecutor, type ExecContext, type ExecResult } from "~/workflows/nodes/executor";
import { loadExecutor } from "~/workflows/nodes/executors";
import { lookUp, remember } from "~/workflows/cache/node-cache";
import { recordModels } from "~/workflows/models/registry";
import { readSecret, redact } from "~/workflows/secrets";
import { recentPollers } from "./client";
import { NodeLog } from "./node-log";
import { USER_ERROR_TYPE, type ExecuteNodeInput, type PipelineActivities } from "./shared";

export interface ActivityDeps {
  db: Db;
  artifacts: ArtifactStore;
  /** This worker's identity, as Temporal lists its pollers. */
  identity: string;
}

type AnyContext = ExecContext<Record<string, unknown>>;

/** One output as a log line: "dataset: 480 rows × 6 columns", "model: classification of 'target'". */
function describeOutput(port: string, ref: ArtifactRef): string {
  if (ref.kind === "dataset") return `${port}: ${ref.rows} rows × ${ref.columns.length} columns`;
  if (ref.kind === "model") return `${port}: ${ref.task} model of '${ref.target}' from ${ref.features.length} features`;
  if (ref.kind === "metrics") return `${port}: ${Object.keys(ref.values).length} metrics`;
  return `${port}: /${ref.slug} v${ref.modelVersion}`;
}

export function createActivities({ db, artifacts, identity }: ActivityDeps): PipelineActivities {
  const whereNode = (runId: string, nodeId: string) => and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId));

  /** The run a node belongs to, read once per activity. */
  async function runOf(runId: string) {
    const [run] = await db
      .select({ workspaceId: runs.workspaceId, pipelineId: runs.pipelineId, startedBy: runs.startedBy, useCache: runs.useCache })
      .from(runs)
      .where(eq(runs.id, runId));
    if (!run) throw ApplicationFailure.nonRetryable(`run ${runId} is not recorded`, USER_ERROR_TYPE);
    return run;
  }
  type Run = Awaited<ReturnType<typeof runOf>>;

  /** Runs `fn` with an executor context: heartbeats, throttled progress, errors mapped for Temporal. */
  async function withContext<T>(runId: string, run: Run, node: PlanNode, inputs: ExecuteNodeInput["inputs"], fn: (ctx: AnyContext) => Promise<T>): Promise<T> {
    const actx = Context.current();
    const scratch: string[] = [];
    const secretValues = new Set<string>();
    const pending = new Map<string, { done: number; total: number }>();
    const log = new NodeLog(db, runId, node.id, actx.info.attempt, (text) => redact(withoutLocalPaths(text), secretValues));
    log.add("info", `attempt ${actx.info.attempt} started`);
    const flush = async () => {
      await log.flush();
      if (!pending.size) return;
      const entries = [...pending.entries()];
      pending.clear();
      let expr = sql`coalesce(${runNodes.progress}, '{}'::jsonb)`;
      for (const [key, value] of entries) expr = sql`jsonb_set(${expr}, ${`{${key}}`}::text[], ${JSON.stringify(value)}::jsonb)`;
      await db.update(runNodes).set({ progress: expr }).where(whereNode(runId, node.id));
    };
    // Heartbeats let Temporal notice a dead worker quickly and deliver cancellation.
    const beat = setInterval(() => {
      actx.heartbeat();
      flush().catch(() => {});
    }, 1000);
    try {
      const result = await fn({
        runId,
        workspaceId: run.workspaceId,
        startedBy: run.startedBy,
        nodeId: node.id,
        config: node.config,
        inputs,
        artifacts,
        scratchDir: async () => {
          const dir = await artifacts.scratchDir();
          scratch.push(dir);
          return dir;
        },
        db,
        secret: async (name) => {
          const value = await readSecret(db, run.workspaceId, name);
          secretValues.add(value);
          return value;
        },
        heartbeat: (d) => actx.heartbeat(d),
        // This worker plus the others polling its queue (a worker whose activity slots are all busy
        // stops polling, so this one may be missing from the list); Temporal unreachable for the
        // question: this worker alone (the work stays here).
        workers: () =>
          recentPollers(90, "activity", actx.info.taskQueue).then(
            (p) => 1 + p.identities.filter((id) => id !== identity).length,
            () => 1,
          ),
        progress: (key, done, total) => pending.set(key, { done, total }),
        log: (message, fields, level = "info") => log.add(level, message, fields),
        signal: actx.cancellationSignal,
      });
      // What it produced, in the same words for every node type.
      const outputs = (result as { outputs?: Record<string, ArtifactRef> } | null)?.outputs;
      // Refused here, named, rather than by Temporal when the activity completes (retried in vain).
      const oversized = outputs && oversizedOutputs(outputs);
      if (oversized) throw new UserError(oversized);
      for (const [port, ref] of Object.entries(outputs ?? {})) log.add("info", describeOutput(port, ref));
      return result;
    } catch (e) {
      // Neither this machine's paths nor any secret the node used may reach the run page or logs.
      const message = redact(withoutLocalPaths(messageOf(e)), secretValues);
      log.add("error", isDeterministic(e) ? `failed: ${message}` : `attempt failed (it is retried): ${message}`);
      await db.update(runNodes).set({ error: message }).where(whereNode(runId, node.id));
      // Bad data or config fails the same way on every attempt: fail the node at once.
      if (isDeterministic(e)) throw ApplicationFailure.nonRetryable(message, USER_ERROR_TYPE);
      // A fresh error: the original's stack and cause were written before redaction.
      if (secretValues.size || !(e instanceof Error)) {
        const clean = new Error(message);
        if (e instanceof Error) clean.stack = redact(withoutLocalPaths(e.stack ?? message), secretValues);
        throw clean;
      }
      e.message = message;
      throw e;
    } finally {
      clearInterval(beat);
      await flush().catch(() => {});
      await Promise.all(scratch.map((dir) => fs.rm(dir, { recursive: true, force: true })));
    }
  }

  async function recordSuccess(runId: string, run: Run, node: PlanNode, inputs: Record<string, ArtifactRef>, result: ExecResult, workMs: number) {
    const nodeId = node.id;
    // Models first: a node is shown succeeded only once what it trained is in the registry.
    await recordModels(db, artifacts, runId, nodeId, inputs, result.outputs, result.metrics);
    await remember(db, { workspaceId: run.workspaceId, pipelineId: run.pipelineId, runId, node, inputs, outputs: result.outputs, metrics: result.metrics });
    await db
      .update(runNodes)
      .set({ status: "succeeded", outputs: result.outputs, metrics: result.metrics ?? null, workMs, finishedAt: new Date(), error: null })
      .where(whereNode(runId, nodeId));
  }

  /** A node's executor; an unknown type fails the node at once. */
  async function executorOf(node: PlanNode) {
    try {
      return await loadExecutor(node.type);
    } catch (e) {
      throw isDeterministic(e) ? ApplicationFailure.nonRetryable(messageOf(e), USER_ERROR_TYPE) : e;
    }
  }

  /** The slice or merge step of a node that fanned out. */
  async function fanOutStep<K extends "slice" | "merge">(node: PlanNode, step: K) {
    const fn = (await executorOf(node))[step];
    if (!fn) throw ApplicationFailure.nonRetryable(`node type '${node.type}' cannot fan out`, USER_ERROR_TYPE);
    return fn as NonNullable<DefinedExecutor[K]>;
  }

  return {
    async markRunStarted(runId) {
      await db
        .update(runs)
        .set({ status: "running", startedAt: sql`coalesce(${runs.startedAt}, now())` })
        .where(and(eq(runs.id, runId), eq(runs.status, "queued")));
    },

    async executeNode({ runId, node, inputs }) {
      await db
        .update(runNodes)
        .set({ status: "running", attempt: Context.current().info.attempt, startedAt: new Date(), finishedAt: null, progress: null })
        .where(whereNode(runId, node.id));
      // An earlier run's output for the same type, config and inputs is reused rather than recomputed.
      const run = await runOf(runId);
      const cached = await lookUp(db, artifacts, { ...run, node, inputs });
      if (cached.hit) {
        await recordModels(db, artifacts, runId, node.id, inputs, cached.hit.outputs, cached.hit.metrics);
        await new NodeLog(db, runId, node.id, Context.current().info.attempt, (t) => t).add("info", `reused the output of run ${cached.hit.runId}`, { node: cached.hit.nodeId }).flush();
        await db
          .update(runNodes)
          .set({ status: "succeeded", outputs: cached.hit.outputs, metrics: cached.hit.metrics, workMs: 0, finishedAt: new Date(), error: null, cache: cached.outcome })
          .where(whereNode(runId, node.id));
        return { outputs: cached.hit.outputs };
      }
      await db.update(runNodes).set({ cache: cached.outcome }).where(whereNode(runId, node.id));
      const executor = await executorOf(node);
      const started = performance.now();
      const result = await withContext(runId, run, node, inputs, (ctx) => executor.execute(ctx));
      if (isFanOut(result)) {
        await db.update(runNodes).set({ workMs: performance.now() - started }).where(whereNode(runId, node.id));
        return { outputs: {}, fanOut: result.fanOut };
      }
      await recordSuccess(runId, run, node, inputs, result, performance.now() - started);
      return { outputs: result.outputs };
    },

    async executeSlice({ runId, node, inputs, task, index }) {
      const slice = await fanOutStep(node, "slice");
      const started = performance.now();
      const part = await withContext(runId, await runOf(runId), node, inputs, (ctx) => slice(ctx, task, index));
      await db
        .update(runNodes)
        .set({ workMs: sql`coalesce(${runNodes.workMs}, 0) + ${performance.now() - started}` })
        .where(whereNode(runId, node.id));
      return part;
    },

    async mergeSlices({ runId, node, inputs, state, parts }) {
      const merge = await fanOutStep(node, "merge");
      const started = performance.now();
      const run = await runOf(runId);
      const result = await withContext(runId, run, node, inputs, (ctx) => merge(ctx, state, parts));
      const [row] = await db.select({ workMs: runNodes.workMs }).from(runNodes).where(whereNode(runId, node.id));
      await recordSuccess(runId, run, node, inputs, result, (row?.workMs ?? 0) + performance.now() - started);
      return { outputs: result.outputs };
    },

    async finishRun(input) {
      await db.transaction(async (tx) => {
        // The run's scores, kept on the run: lists sort and compare by them without reading every node.
        const outputs = await tx.select({ outputs: runNodes.outputs }).from(runNodes).where(eq(runNodes.runId, input.runId));
        const metrics = runMetrics(outputs.map((o) => o.outputs));
        await tx
          .update(runs)
          .set({ status: input.status, error: input.error, finishedAt: new Date(), metrics })
          .where(eq(runs.id, input.runId));
        const byStatus = new Map<NodeStatus, string[]>();
        for (const [id, p] of Object.entries(input.nodes)) {
          if (p.status === "succeeded") continue;
          if (p.status === "failed") {
            await tx
              .update(runNodes)
              .set({ status: "failed", error: p.error ?? null, finishedAt: new Date() })
              .where(whereNode(input.runId, id));
          } else {
            byStatus.set(p.status, [...(byStatus.get(p.status) ?? []), id]);
          }
        }
        for (const [status, ids] of byStatus) {
          const final = status === "queued" || status === "running" ? "cancelled" : status;
          await tx
            .update(runNodes)
            .set({ status: final })
            .where(and(eq(runNodes.runId, input.runId), inArray(runNodes.nodeId, ids)));
        }
      });
    },
  };
}
