import { pipelineRouter } from "./routers/pipeline";
import { datasetRouter } from "./routers/dataset";
import { endpointRouter } from "./routers/endpoint";
import { runRouter } from "./routers/run";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  pipeline: pipelineRouter,
  run: runRouter,
  dataset: datasetRouter,
  endpoint: endpointRouter,
});

export type AppRouter = typeof appRouter;
