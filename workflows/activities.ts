/**
 * Activities: the worker-side half of a run. Created from a factory so tests can inject
 * their own database and artifact store.
 */
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { runNodes, runs } from "../db/schema";
import type { ArtifactStore } from "../server/artifacts/store";
import { ExpressionError } from "./nodes/derive-column/expression";
import { isFanOut, UserError, type ExecContext, type ExecResult, type FanOut, type ScalableExecutor } from "./nodes/executor";
import { executors } from "./nodes/executors";
import { isNodeType } from "./nodes";
import { MissingFeatureError } from "./ml/model";
import type { ExecuteNodeInput, ExecuteNodeResult, ExecuteSliceInput, MergeSlicesInput, NodeStatus, PlanNode, RunStatus } from "./plan";

export interface ActivityDeps {
  db: Db;
  artifacts: ArtifactStore;
}

const isUserError = (e: unknown) =>
  e instanceof UserError || e instanceof ExpressionError || e instanceof MissingFeatureError;

type AnyContext = ExecContext<Record<string, unknown>>;
type AnyScalable = ScalableExecutor<Record<string, unknown>, unknown, unknown, unknown>;

function executorFor(type: string) {
  if (!isNodeType(type)) throw ApplicationFailure.nonRetryable(`unknown node type '${type}'`, "UserError");
  const e = executors[type] as unknown;
  return typeof e === "function"
    ? { execute: e as (ctx: AnyContext) => Promise<ExecResult | FanOut> }
    : (e as AnyScalable);
}

export function createActivities({ db, artifacts }: ActivityDeps) {
  const whereNode = (runId: string, nodeId: string) => and(eq(runNodes.runId, runId), eq(runNodes.nodeId, nodeId));

  /** Runs `fn` with an executor context: heartbeats, throttled progress, errors mapped for Temporal. */
  async function withContext<T>(runId: string, node: PlanNode, inputs: ExecuteNodeInput["inputs"], fn: (ctx: AnyContext) => Promise<T>): Promise<T> {
    const actx = Context.current();
    const pending = new Map<string, { done: number; total: number }>();
    const flush = async () => {
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
      return await fn({
        runId,
        nodeId: node.id,
        config: node.config,
        inputs,
        artifacts,
        db,
        heartbeat: (d) => actx.heartbeat(d),
        progress: (key, done, total) => pending.set(key, { done, total }),
        signal: actx.cancellationSignal,
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await db.update(runNodes).set({ error: message }).where(whereNode(runId, node.id));
      if (isUserError(e)) throw ApplicationFailure.nonRetryable(message, "UserError");
      throw e;
    } finally {
      clearInterval(beat);
      await flush().catch(() => {});
    }
  }

  async function recordSuccess(runId: string, nodeId: string, result: ExecResult, workMs: number) {
    await db
      .update(runNodes)
      .set({ status: "succeeded", outputs: result.outputs, metrics: result.metrics ?? null, workMs, finishedAt: new Date(), error: null })
      .where(whereNode(runId, nodeId));
  }

  return {
    async markRunStarted(runId: string) {
      await db
        .update(runs)
        .set({ status: "running", startedAt: sql`coalesce(${runs.startedAt}, now())` })
        .where(and(eq(runs.id, runId), eq(runs.status, "queued")));
    },

    async executeNode({ runId, node, inputs }: ExecuteNodeInput): Promise<ExecuteNodeResult> {
      await db
        .update(runNodes)
        .set({ status: "running", attempt: Context.current().info.attempt, startedAt: new Date(), finishedAt: null, progress: null })
        .where(whereNode(runId, node.id));
      const executor = executorFor(node.type);
      const started = performance.now();
      const result = await withContext(runId, node, inputs, (ctx) => executor.execute(ctx));
      if (isFanOut(result)) {
        await db.update(runNodes).set({ workMs: performance.now() - started }).where(whereNode(runId, node.id));
        return { outputs: {}, fanOut: result.fanOut };
      }
      await recordSuccess(runId, node.id, result, performance.now() - started);
      return { outputs: result.outputs };
    },

    /** One task of a node that fanned out; its result is small (artifact references). */
    async executeSlice({ runId, node, inputs, task, index }: ExecuteSliceInput): Promise<unknown> {
      const executor = executorFor(node.type) as AnyScalable;
      const started = performance.now();
      const part = await withContext(runId, node, inputs, (ctx) => executor.slice(ctx, task, index));
      await db
        .update(runNodes)
        .set({ workMs: sql`coalesce(${runNodes.workMs}, 0) + ${performance.now() - started}` })
        .where(whereNode(runId, node.id));
      return part;
    },

    async mergeSlices({ runId, node, inputs, state, parts }: MergeSlicesInput): Promise<ExecuteNodeResult> {
      const executor = executorFor(node.type) as AnyScalable;
      const started = performance.now();
      const result = await withContext(runId, node, inputs, (ctx) => executor.merge(ctx, state, parts));
      const [row] = await db.select({ workMs: runNodes.workMs }).from(runNodes).where(whereNode(runId, node.id));
      await recordSuccess(runId, node.id, result, (row?.workMs ?? 0) + performance.now() - started);
      return { outputs: result.outputs };
    },

    async finishRun(input: {
      runId: string;
      status: RunStatus;
      error: string | null;
      nodes: Record<string, { status: NodeStatus; error?: string }>;
    }) {
      await db.transaction(async (tx) => {
        await tx
          .update(runs)
          .set({ status: input.status, error: input.error, finishedAt: new Date() })
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

export type Activities = ReturnType<typeof createActivities>;
