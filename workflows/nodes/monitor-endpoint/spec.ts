import { z } from "zod";
import { defineNode } from "../define";

export const spec = defineNode({
  type: "monitor-endpoint",
  label: "Monitor",
  stage: "monitor",
  // Never reused from an earlier run: it changes an endpoint.
  cache: false,
  description: "Exports per-endpoint prediction metrics (by class or value) on /metrics alongside request counts and latency.",
  config: z.object({
    trackPredictions: z.boolean().default(true).meta({ title: "Track predictions" }),
  }),
  inputs: { endpoint: { type: "endpoint", label: "Endpoint" } },
  outputs: {},
  summary: (config) => (config.trackPredictions ? "tracking predictions" : "requests only"),
});
