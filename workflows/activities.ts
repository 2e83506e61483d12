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
import { UserError } from "./nodes/executor";
import { executors } from "./nodes/executors";
import { isNodeType } from "./nodes";
import { MissingFeatureError } from "./ml/model";
import type { ExecuteNodeInput, ExecuteNodeResult, NodeStatus, RunStatus } from "./plan";

export interface ActivityDeps {
  db: Db;
  artifacts: ArtifactStore;
}

const isUserError = (e: unknown) =>
  e instanceof UserError || e instanceof ExpressionError || e instanceof MissingFeatureError;

export function createActivities({ db, artifacts }: ActivityDeps) {
  return {
    async markRunStarted(runId: string) {
      await db
        .update(runs)
        .set({ status: "running", startedAt: sql`coalesce(${runs.startedAt}, now())` })
        .where(and(eq(runs.id, runId), eq(runs.status, "queued")));
    },

    async executeNode({ runId, node, inputs }: ExecuteNodeInput): Promise<ExecuteNodeResult> {
      const ctx = Context.current();
      const where = and(eq(runNodes.runId, runId), eq(runNodes.nodeId, node.id));
      await db
        .update(runNodes)
        .set({ status: "running", attempt: ctx.info.attempt, startedAt: new Date(), finishedAt: null })
        .where(where);
      if (!isNodeType(node.type)) throw ApplicationFailure.nonRetryable(`unknown node type '${node.type}'`, "UserError");
      const execute = executors[node.type] as (c: Parameters<(typeof executors)["evaluate"]>[0]) => ReturnType<(typeof executors)["evaluate"]>;

      // Heartbeats let Temporal notice a dead worker quickly and deliver cancellation.
      const beat = setInterval(() => ctx.heartbeat(), 1000);
      const started = performance.now();
      try {
        const result = await execute({
          runId,
          nodeId: node.id,
          config: node.config as never,
          inputs,
          artifacts,
          db,
          heartbeat: (d) => ctx.heartbeat(d),
          signal: ctx.cancellationSignal,
        });
        await db
          .update(runNodes)
          .set({
            status: "succeeded",
            outputs: result.outputs,
            metrics: result.metrics ?? null,
            workMs: performance.now() - started,
            finishedAt: new Date(),
            error: null,
          })
          .where(where);
        return { outputs: result.outputs };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        await db.update(runNodes).set({ error: message }).where(where);
        if (isUserError(e)) throw ApplicationFailure.nonRetryable(message, "UserError");
        throw e;
      } finally {
        clearInterval(beat);
      }
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
              .where(and(eq(runNodes.runId, input.runId), eq(runNodes.nodeId, id)));
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
