/**
 * Batch scoring as a durable workflow: check, score the chunks (a few at a time, any worker may
 * take any chunk, a lost worker costs one chunk), join them, record the outcome. Only ids and
 * counts pass through here; rows and files stay in the artifact store. No I/O, clocks or randomness.
 */
import { CancellationScope, isCancellation, proxyActivities } from "@temporalio/workflow";
import { describeFailure } from "./failures";
import { USER_ERROR_TYPE, type BatchActivities, type ScoreBatchInput } from "./shared";

/** Chunks scored at once: enough to keep two workers busy without flooding the queue. */
const LANES = 4;

const { startBatchScore, scoreBatchChunk, mergeBatchScore } = proxyActivities<BatchActivities>({
  startToCloseTimeout: "1 hour",
  // Chunks heartbeat every second: a killed worker's chunk goes to another within this window.
  heartbeatTimeout: "15 seconds",
  retry: { initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "30 seconds", maximumAttempts: 5, nonRetryableErrorTypes: [USER_ERROR_TYPE] },
});

const { finishBatchScore } = proxyActivities<BatchActivities>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 20, maximumInterval: "10 seconds" },
});

export async function scoreBatch({ batchId }: ScoreBatchInput): Promise<{ status: "succeeded" | "failed" | "cancelled" }> {
  try {
    const { chunks } = await startBatchScore(batchId);
    let next = 0;
    const lane = async () => {
      while (next < chunks) await scoreBatchChunk({ batchId, index: next++ });
    };
    await Promise.all(Array.from({ length: Math.min(LANES, chunks) }, lane));
    await mergeBatchScore(batchId);
    await finishBatchScore({ batchId, status: "succeeded", error: null });
    return { status: "succeeded" };
  } catch (e) {
    const status = isCancellation(e) ? "cancelled" : "failed";
    // Recorded even when cancelled: the job must not stay "running" forever.
    await CancellationScope.nonCancellable(() => finishBatchScore({ batchId, status, error: status === "cancelled" ? "cancelled" : describeFailure(e) }));
    return { status };
  }
}
