import { batchRouter } from "./routers/batch";
import { datasetRouter } from "./routers/dataset";
import { endpointRouter } from "./routers/endpoint";
import { modelRouter } from "./routers/model";
import { pipelineRouter } from "./routers/pipeline";
import { runRouter } from "./routers/run";
import { scheduleRouter } from "./routers/schedule";
import { shareRouter } from "./routers/share";
import { accountRouter, invitationRouter, tokenRouter, workspaceRouter } from "./routers/workspace";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  pipeline: pipelineRouter,
  run: runRouter,
  schedule: scheduleRouter,
  share: shareRouter,
  dataset: datasetRouter,
  endpoint: endpointRouter,
  model: modelRouter,
  batch: batchRouter,
  workspace: workspaceRouter,
  token: tokenRouter,
  invitation: invitationRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
