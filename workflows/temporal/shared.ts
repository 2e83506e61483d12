/**
 * The seam between processes: what the web side, the worker and the run page agree on — the
 * workflow's name and id format, the task queue, and the shapes of its input and activities.
 * Pure (types and constants only), so the workflow sandbox and the browser can import it.
 */
import type { ArtifactRef, ExecutionPlan, NodeStatus, PlanNode, RunStatus } from "~/lib/pipeline/plan";

/** The name the worker registers `runPipeline` under; server/runs/service.ts checks the two agree at compile time. */
export const PIPELINE_WORKFLOW = "runPipeline";

export const workflowIdForRun = (runId: string) => `run-${runId}`;

/** The failure type of deterministic errors (bad data or config): the workflow never retries them. */
export const USER_ERROR_TYPE = "UserError";

const DEFAULT_TASK_QUEUE = "millrace-pipelines";
/** The task queue of the pipeline workflow and its activities (TEMPORAL_TASK_QUEUE, else the default). */
export const taskQueueOf = (config: { TEMPORAL_TASK_QUEUE?: string | undefined }) => config.TEMPORAL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;

export interface RunPipelineInput {
  runId: string;
  plan: ExecutionPlan;
}

export interface ExecuteNodeInput {
  runId: string;
  node: PlanNode;
  inputs: Record<string, ArtifactRef>;
}

export interface ExecuteNodeResult {
  outputs: Record<string, ArtifactRef>;
  /** Set when the node split its work: run each task with executeSlice, then mergeSlices. */
  fanOut?: { tasks: unknown[]; state: unknown };
}

export interface ExecuteSliceInput extends ExecuteNodeInput {
  task: unknown;
  index: number;
}

export interface MergeSlicesInput extends ExecuteNodeInput {
  state: unknown;
  parts: unknown[];
}

export interface NodeOutcomeStatus {
  status: NodeStatus;
  error?: string;
}

interface FinishRunInput {
  runId: string;
  status: RunStatus;
  error: string | null;
  nodes: Record<string, NodeOutcomeStatus>;
}

/** What the workflow calls; `activities.ts` implements it. */
export interface PipelineActivities {
  markRunStarted(runId: string): Promise<void>;
  executeNode(input: ExecuteNodeInput): Promise<ExecuteNodeResult>;
  /** One task of a node that fanned out; its result is small (artifact references). */
  executeSlice(input: ExecuteSliceInput): Promise<unknown>;
  mergeSlices(input: MergeSlicesInput): Promise<ExecuteNodeResult>;
  finishRun(input: FinishRunInput): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Batch scoring: a dataset scored by a model version, chunk by chunk (workflows/batch/).

/** The name the worker registers `scoreBatch` under. */
export const BATCH_WORKFLOW = "scoreBatch";
export const workflowIdForBatch = (batchId: string) => `batch-${batchId}`;

export interface ScoreBatchInput {
  batchId: string;
}

/** What the batch workflow calls; workflows/batch/activities.ts implements it. */
export interface BatchActivities {
  /** Checks the dataset against the model again and marks the job running; returns its number of chunks. */
  startBatchScore(batchId: string): Promise<{ chunks: number }>;
  /** Scores rows [index × chunkRows, …) into a part file; idempotent. */
  scoreBatchChunk(input: { batchId: string; index: number }): Promise<{ rows: number; failed: number }>;
  /** Joins the parts, in dataset order, into the scored CSV and Parquet files. */
  mergeBatchScore(batchId: string): Promise<void>;
  finishBatchScore(input: { batchId: string; status: "succeeded" | "failed" | "cancelled"; error: string | null }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Schedules: a Temporal Schedule starts `scheduledRun`, which records a run and runs it.

/** The name the worker registers `scheduledRun` under. */
export const SCHEDULED_WORKFLOW = "scheduledRun";
/** Schedule ids carry their pipeline's id: `pipeline-<pipelineId>-<suffix>`. */
export const scheduleIdFor = (pipelineId: string, suffix: string) => `pipeline-${pipelineId}-${suffix}`;

export interface ScheduledRunInput {
  pipelineId: string;
  scheduleId: string;
}

export interface ScheduleActivities {
  /** Records a run of the pipeline's latest version; null (and a failed run saying why) when it does not compile. */
  prepareScheduledRun(input: ScheduledRunInput): Promise<RunPipelineInput | null>;
}

/** Delivering an alarm's webhook: retried by Temporal until it lands or its attempts run out. */
export const WEBHOOK_WORKFLOW = "deliverWebhook";
export const workflowIdForWebhook = (id: string, event: string) => `webhook-${id}-${event}`;

/** An alarm opened or resolved, or a retraining's outcome (the challenger promoted, or the champion kept). */
export type WebhookInput = { alarmId: string; event: "opened" | "resolved" } | { retrainingId: string; event: "promoted" | "kept" };

export interface WebhookActivities {
  /** POSTs the alarm to its endpoint's webhook, signed; throws (and is retried) on a failed delivery. */
  postWebhook(input: WebhookInput): Promise<{ status: number } | null>;
  /** Records that every attempt failed. */
  webhookGaveUp(input: WebhookInput & { error: string }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Retraining: an alarm's loop — retrain, gate, shadow, promote or keep (workflows/monitoring/retrain.ts).

export const RETRAIN_WORKFLOW = "retrainOnAlarm";
/** One loop at a time per endpoint. */
export const workflowIdForRetraining = (endpointId: string) => `retrain-${endpointId}`;

export interface RetrainInput {
  endpointId: string;
  alarmId: string;
}

export interface RetrainActivities {
  /** Records the retraining and a run of the endpoint's pipeline on its freshest data; null when there is nothing to retrain. */
  startRetraining(input: RetrainInput): Promise<{ retrainingId: string; run: RunPipelineInput; pollSeconds: number } | null>;
  /** Scores champion and challenger on the retraining run's holdout; when the challenger passes, makes it the endpoint's shadow. */
  gateChallenger(input: { retrainingId: string }): Promise<{ passed: boolean }>;
  /** Whether the shadow period is over (enough shadow requests, or time). */
  shadowDone(input: { retrainingId: string }): Promise<boolean>;
  /** Promotes the challenger or keeps the champion, from what the shadow period showed. */
  concludeRetraining(input: { retrainingId: string }): Promise<{ promoted: boolean }>;
  /** Records a loop that could not go on (its run failed). */
  failRetraining(input: { retrainingId: string; error: string }): Promise<void>;
}
