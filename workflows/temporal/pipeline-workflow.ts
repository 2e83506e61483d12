/**
 * The one workflow: a deterministic interpreter of a compiled plan. Each node is an
 * activity; a node starts as soon as all of its inputs exist, so independent branches run
 * in parallel. Only artifact references pass through here. No I/O, clocks or randomness.
 */
import { CancellationScope, isCancellation, proxyActivities } from "@temporalio/workflow";
import { describeFailure } from "./failures";
import type { RunStatus } from "~/lib/pipeline/plan";
import { USER_ERROR_TYPE, type ExecuteNodeResult, type NodeOutcomeStatus, type PipelineActivities, type RunPipelineInput } from "./shared";

const { executeNode, executeSlice, mergeSlices } = proxyActivities<PipelineActivities>({
  startToCloseTimeout: "2 hours",
  // Executors heartbeat every second; a killed worker is noticed within this window.
  heartbeatTimeout: "15 seconds",
  retry: {
    initialInterval: "1 second",
    backoffCoefficient: 2,
    maximumInterval: "30 seconds",
    maximumAttempts: 5,
    nonRetryableErrorTypes: [USER_ERROR_TYPE],
  },
});

const { markRunStarted, finishRun } = proxyActivities<PipelineActivities>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 20, maximumInterval: "10 seconds" },
});

class UpstreamFailed extends Error {}

export async function runPipeline({ runId, plan }: RunPipelineInput): Promise<{ status: RunStatus }> {
  const progress: Record<string, NodeOutcomeStatus> = Object.fromEntries(plan.nodes.map((n) => [n.id, { status: "queued" }]));

  await markRunStarted(runId);

  const results = new Map<string, Promise<ExecuteNodeResult>>();
  for (const node of plan.nodes) {
    results.set(
      node.id,
      (async () => {
        const inputs: Record<string, ExecuteNodeResult["outputs"][string]> = {};
        for (const [port, src] of Object.entries(node.inputs)) {
          try {
            const upstream = await results.get(src.node)!;
            inputs[port] = upstream.outputs[src.port]!;
          } catch (e) {
            progress[node.id] = { status: isCancellation(e) ? "cancelled" : "skipped" };
            throw isCancellation(e) ? e : new UpstreamFailed(src.node);
          }
        }
        progress[node.id] = { status: "running" };
        try {
          let result = await executeNode({ runId, node, inputs });
          if (result.fanOut) {
            // Each slice is its own activity: any worker can take it, and a lost worker costs one slice.
            const { tasks, state } = result.fanOut;
            const parts = await Promise.all(tasks.map((task, index) => executeSlice({ runId, node, inputs, task, index })));
            result = await mergeSlices({ runId, node, inputs, state, parts });
          }
          progress[node.id] = { status: "succeeded" };
          return result;
        } catch (e) {
          progress[node.id] = isCancellation(e)
            ? { status: "cancelled" }
            : { status: "failed", error: describeFailure(e) };
          throw e;
        }
      })(),
    );
  }

  const settled = await Promise.allSettled(results.values());
  const cancelled = settled.some((s) => s.status === "rejected" && isCancellation(s.reason));
  const failed = Object.entries(progress).find(([, p]) => p.status === "failed");
  const status: RunStatus = cancelled ? "cancelled" : failed ? "failed" : "succeeded";
  const error = failed ? `node ${failed[0]}: ${failed[1].error}` : cancelled ? "cancelled" : null;
  // Record the outcome even when the run itself was cancelled.
  await CancellationScope.nonCancellable(() => finishRun({ runId, status, error, nodes: progress }));
  return { status };
}
