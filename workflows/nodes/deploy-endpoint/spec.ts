import { z } from "zod";
import { SLUG, SLUG_MESSAGE, slugify, uniqueSlug } from "~/lib/pipeline/endpoint";
import { defineNode } from "../define";

export const spec = defineNode({
  type: "deploy-endpoint",
  label: "Deploy endpoint",
  stage: "deploy",
  // Never reused from an earlier run: it deploys.
  cache: false,
  description: "Registers a new model version and serves it at POST /api/v1/endpoints/<slug>/predict.",
  config: z.object({
    slug: z.string().trim().default("").meta({ title: "Endpoint slug" }),
    takeOver: z
      .boolean()
      .default(false)
      .meta({
        title: "Take over the endpoint",
        description: "Replace the model of an endpoint another pipeline serves, or change its input schema.",
      }),
    access: z
      .enum(["private", "public"])
      .default("private")
      .meta({
        title: "Who may call (new endpoint)",
        description: "private: callers send a serving key; public: anyone who can reach the server. Applies when this node creates the endpoint; change it later on the Endpoints page.",
      }),
    unknownFields: z
      .enum(["ignore", "reject"])
      .default("ignore")
      .meta({
        title: "Unknown request fields",
        description: "ignore: predict, and name them in the Millrace-Ignored-Fields response header; reject: answer 400",
      }),
  }),
  inputs: {
    model: { type: "model", label: "Model" },
    metrics: { type: "metrics", label: "Metrics", optional: true },
  },
  outputs: { endpoint: { type: "endpoint", label: "Endpoint" } },
  initialConfig: ({ pipelineName, endpointSlugs, nodes }) => {
    const inPipeline = nodes.filter((n) => n.type === "deploy-endpoint").map((n) => String(n.config.slug ?? ""));
    return { slug: uniqueSlug(slugify(pipelineName), [...endpointSlugs, ...inPipeline]) };
  },
  infer: ({ config, endpoint, pipelineId }) => {
    if (!config.slug) return { errors: [{ path: "slug", message: "choose an endpoint slug" }] };
    if (!SLUG.test(config.slug)) return { errors: [{ path: "slug", message: SLUG_MESSAGE }] };
    const served = endpoint?.(config.slug);
    // Slugs are one namespace; another workspace's endpoint cannot be taken over from here.
    if (served?.otherWorkspace) return { errors: [{ path: "slug", message: `endpoint '${config.slug}' belongs to another workspace; choose another slug` }] };
    // An endpoint whose pipeline was deleted has no owner: any pipeline may serve it.
    if (served?.pipelineId && served.pipelineId !== pipelineId && !config.takeOver) {
      const by = served.pipelineName ? `pipeline '${served.pipelineName}'` : "another pipeline";
      return {
        errors: [{ path: "slug", message: `endpoint '${config.slug}' is served by ${by}; choose another slug or tick 'Take over the endpoint'` }],
      };
    }
    return {};
  },
  summary: (config) => `/${config.slug}${config.access === "public" ? " · public" : ""}${config.takeOver ? " (take over)" : ""}`,
});
