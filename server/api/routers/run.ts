import { z } from "zod";
import { env } from "~/lib/env";
import { workflowIdForRun } from "~/workflows/temporal/shared";
import { inspectNode, nodeLog } from "~/server/runs/inspect";
import { cancelRun, getRun, lastOutputs, resumeRun, startRun } from "~/server/runs/service";
import { forget } from "~/workflows/cache/node-cache";
import { artifactStore } from "~/workflows/artifacts";
import { createTRPCRouter, resourceProcedure } from "../trpc";

export const runRouter = createTRPCRouter({
  start: resourceProcedure("run", "pipeline", "pipelineId")
    .input(
      z.object({
        pipelineId: z.guid(),
        ignoreCache: z.boolean().optional(),
        /** Values for the pipeline's parameters (the launch form); the others take their defaults. */
        parameters: z.record(z.string().max(64), z.union([z.number(), z.string().max(10_000), z.boolean()])).optional(),
      }),
    )
    // A run that deploys a model needs the right to deploy as well as to run.
    .mutation(({ ctx, input }) =>
      startRun(ctx.db, input.pipelineId, {
        startedBy: ctx.access.principal.userId,
        checkDeploy: () => ctx.access.alsoRequire("deploy"),
        ignoreCache: input.ignoreCache,
        parameters: input.parameters,
      }),
    ),
  /** A failed or cancelled run again, from the latest version, reusing what did not change. */
  resume: resourceProcedure("run", "run")
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => resumeRun(ctx.db, input.id, { startedBy: ctx.access.principal.userId, checkDeploy: () => ctx.access.alsoRequire("deploy") })),
  /** Forgets a node's cached outputs: the pipeline's next run computes it again. */
  forgetCache: resourceProcedure("run", "run")
    .input(z.object({ id: z.guid(), nodeId: z.string().min(1).max(200) }))
    .mutation(async ({ ctx, input }) => {
      const run = await getRun(ctx.db, input.id);
      return { forgotten: await forget(ctx.db, run.pipelineId, input.nodeId) };
    }),
  byId: resourceProcedure("read", "run")
    .input(z.object({ id: z.guid() }))
    .query(async ({ ctx, input }) => {
      const run = await getRun(ctx.db, input.id);
      // The Temporal UI (raw histories) is for instance administrators only.
      const admin = ctx.access.principal.isAdmin;
      const e = env();
      return { ...run, temporalUi: admin ? `http://localhost:${e.TEMPORAL_UI_PORT}/namespaces/${e.TEMPORAL_NAMESPACE}/workflows/${workflowIdForRun(run.id)}` : null };
    }),
  /** The latest finished run's output shapes per node, for the canvas. */
  lastOutputs: resourceProcedure("read", "pipeline", "pipelineId")
    .input(z.object({ pipelineId: z.guid() }))
    .query(({ ctx, input }) => lastOutputs(ctx.db, input.pipelineId)),
  /** A node of the run, opened: settings, inputs, outputs with schema, first rows and statistics. */
  node: resourceProcedure("read", "run")
    .input(z.object({ id: z.guid(), nodeId: z.string().min(1).max(200) }))
    .query(({ ctx, input }) => inspectNode(ctx.db, artifactStore(), input.id, input.nodeId)),
  /** A node's log lines (after `after`, to follow it while it runs). */
  log: resourceProcedure("read", "run")
    .input(z.object({ id: z.guid(), nodeId: z.string().min(1).max(200), after: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => nodeLog(ctx.db, input.id, input.nodeId, input.after)),
  cancel: resourceProcedure("run", "run")
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => cancelRun(ctx.db, input.id)),
});
