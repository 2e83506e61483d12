/** Every workflow the worker runs (its `workflowsPath`): the pipeline interpreter, scheduled runs and batch scoring. */
export { runPipeline } from "./pipeline-workflow";
export { scheduledRun } from "./scheduled-workflow";
export { scoreBatch } from "./batch-workflow";
