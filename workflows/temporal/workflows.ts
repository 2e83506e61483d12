/** Every workflow the worker runs (its `workflowsPath`): the pipeline interpreter and batch scoring. */
export { runPipeline } from "./pipeline-workflow";
export { scoreBatch } from "./batch-workflow";
