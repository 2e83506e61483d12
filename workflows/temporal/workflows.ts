/** Every workflow the worker runs (its `workflowsPath`): the pipeline interpreter, scheduled runs, batch scoring and alarm webhooks. */
export { runPipeline } from "./pipeline-workflow";
export { scheduledRun } from "./scheduled-workflow";
export { scoreBatch } from "./batch-workflow";
export { deliverWebhook } from "./webhook-workflow";
export { retrainOnAlarm } from "./retrain-workflow";
