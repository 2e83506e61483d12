import { z } from "zod";
import { defineNode } from "../spec";

export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use lowercase letters, digits and dashes (max 63)");

export const deployEndpointSpec = defineNode({
  type: "deploy-endpoint",
  label: "Deploy endpoint",
  stage: "deploy",
  description: "Registers a new model version and serves it at POST /api/v1/endpoints/<slug>/predict.",
  config: z.object({
    slug: slugSchema.default("demo-model").meta({ title: "Endpoint slug" }),
  }),
  inputs: {
    model: { type: "model", label: "Model" },
    metrics: { type: "metrics", label: "Metrics", optional: true },
  },
  outputs: { endpoint: { type: "endpoint", label: "Endpoint" } },
});
