/**
 * The loop a drift alarm starts: retrain the endpoint's pipeline on fresh data (a child pipeline
 * workflow, durable like any run), gate the challenger against the champion on the same holdout,
 * shadow it for a number of requests or a time, then promote it or keep the champion. Each step
 * is an activity that records its decision; timers are Temporal's, so the loop survives worker and
 * server restarts. No I/O, clocks or randomness here.
 */
import { continueAsNew, ContinueAsNew, executeChild, ParentClosePolicy, proxyActivities, sleep, startChild } from "@temporalio/workflow";

const isContinueAsNew = (e: unknown) => e instanceof ContinueAsNew;
import { runPipeline } from "./pipeline-workflow";
import { workflowIdForRun, workflowIdForWebhook, type RetrainActivities, type RetrainInput } from "./shared";
import { deliverWebhook } from "./webhook-workflow";

/** The outcome's webhook, delivered on its own (it outlives this workflow). */
const announce = (retrainingId: string, event: "promoted" | "kept") =>
  startChild(deliverWebhook, { args: [{ retrainingId, event }], workflowId: workflowIdForWebhook(retrainingId, event), parentClosePolicy: ParentClosePolicy.ABANDON });

const acts = proxyActivities<RetrainActivities>({
  startToCloseTimeout: "5 minutes",
  // Every activity heartbeats while it runs (liveness.ts): a worker killed mid-step is noticed in
  // seconds, and another worker retries the step (each is idempotent), instead of after 5 minutes.
  heartbeatTimeout: "10 seconds",
  retry: { maximumAttempts: 10, maximumInterval: "30 seconds", nonRetryableErrorTypes: ["UserError"] },
});

/** Polls of the shadow period before the workflow continues as new (its history stays small over weeks). */
const POLLS_PER_RUN = 200;

export async function retrainOnAlarm(input: RetrainInput & { shadowing?: { retrainingId: string; pollSeconds: number } }): Promise<{ outcome: "promoted" | "kept" | "gated-out" | "failed" | "skipped" }> {
  let shadowing = input.shadowing;
  if (!shadowing) {
    const started = await acts.startRetraining(input);
    if (!started) return { outcome: "skipped" };
    const { retrainingId, run, pollSeconds } = started;
    let status: string;
    try {
      ({ status } = await executeChild(runPipeline, { args: [run], workflowId: workflowIdForRun(run.runId) }));
    } catch (e) {
      status = e instanceof Error ? e.message : String(e);
    }
    if (status !== "succeeded") {
      // A run that failed or was cancelled is no challenger, whatever it registered before failing.
      await acts.failRetraining({ retrainingId, error: status });
      return { outcome: "failed" };
    }
    const gate = await acts.gateChallenger({ retrainingId });
    if (!gate.passed) {
      await announce(retrainingId, "kept");
      return { outcome: "gated-out" };
    }
    shadowing = { retrainingId, pollSeconds };
  }
  const { retrainingId, pollSeconds } = shadowing;
  try {
    for (let i = 0; !(await acts.shadowDone({ retrainingId })); i++) {
      if (i >= POLLS_PER_RUN) await continueAsNew<typeof retrainOnAlarm>({ ...input, shadowing });
      await sleep(`${pollSeconds} seconds`);
    }
    const { promoted } = await acts.concludeRetraining({ retrainingId });
    await announce(retrainingId, promoted ? "promoted" : "kept");
    return { outcome: promoted ? "promoted" : "kept" };
  } catch (e) {
    if (isContinueAsNew(e)) throw e;
    // The loop cannot go on (the database was away through every retry): the shadow goes, the champion stays.
    await acts.failRetraining({ retrainingId, error: e instanceof Error ? e.message : String(e) });
    return { outcome: "failed" };
  }
}
