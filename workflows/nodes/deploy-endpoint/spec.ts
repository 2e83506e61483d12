import { z } from "zod";
import { defineNode } from "../define";

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLUG_MESSAGE = "use lowercase letters, digits and dashes (max 63)";

/** `Churn model (v2)` → `churn-model-v2`: a slug derived from a pipeline's name. */
export function slugify(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return s || "model";
}

/** `base`, or `base-2`, `base-3`, … — the first that is not taken. */
export function uniqueSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

export const spec = defineNode({
  type: "deploy-endpoint",
  label: "Deploy endpoint",
  stage: "deploy",
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
    // An endpoint whose pipeline was deleted has no owner: any pipeline may serve it.
    if (served?.pipelineId && served.pipelineId !== pipelineId && !config.takeOver) {
      const by = served.pipelineName ? `pipeline '${served.pipelineName}'` : "another pipeline";
      return {
        errors: [{ path: "slug", message: `endpoint '${config.slug}' is served by ${by}; choose another slug or tick 'Take over the endpoint'` }],
      };
    }
    return {};
  },
  summary: (config) => `/${config.slug}${config.takeOver ? " (take over)" : ""}`,
});
