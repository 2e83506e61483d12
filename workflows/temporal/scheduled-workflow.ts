/**
 * A run a Temporal Schedule started: an activity records it (the pipeline's latest version,
 * compiled now), then it runs as the pipeline workflow's child under the run's own workflow id,
 * exactly as a run started by hand. No I/O, clocks or randomness here.
 */
import { executeChild, proxyActivities } from "@temporalio/workflow";
import { runPipeline } from "./pipeline-workflow";
import { workflowIdForRun, type ScheduleActivities, type ScheduledRunInput } from "./shared";

const { prepareScheduledRun } = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: "1 minute",
  retry: { maximumAttempts: 10, maximumInterval: "10 seconds", nonRetryableErrorTypes: ["UserError"] },
});

export async function scheduledRun(input: ScheduledRunInput): Promise<{ runId: string | null }> {
  const prepared = await prepareScheduledRun(input);
  if (!prepared) return { runId: null };
  await executeChild(runPipeline, { args: [prepared], workflowId: workflowIdForRun(prepared.runId) });
  return { runId: prepared.runId };
}
