import { describe, expect, it } from "vitest";
import { slugify, uniqueSlug } from "~/lib/pipeline/endpoint";
import { spec } from "./spec";

const infer = (config: Record<string, unknown>, owner?: { pipelineId: string | null; pipelineName: string | null }, pipelineId?: string) =>
  spec.infer!({
    config: spec.config.parse(config),
    inputs: {},
    datasetColumns: () => undefined,
    endpoint: (slug) => (slug === "taken" ? owner : undefined),
    pipelineId,
  });

describe("deploy-endpoint", () => {
  it("derives a new node's slug from the pipeline's name, unique among endpoints and this pipeline's deploy nodes", () => {
    expect(slugify("Churn model (v2)")).toBe("churn-model-v2");
    expect(slugify("Été à Zürich!")).toBe("ete-a-zurich");
    expect(slugify("***")).toBe("model");
    expect(uniqueSlug("churn", ["churn", "churn-2"])).toBe("churn-3");
    const config = spec.initialConfig!({
      pipelineName: "Demo: random forest classifier",
      endpointSlugs: ["demo-random-forest-classifier"],
      nodes: [{ type: "deploy-endpoint", config: { slug: "demo-random-forest-classifier-2" } }],
    });
    expect(config).toEqual({ slug: "demo-random-forest-classifier-3" });
  });

  it("refuses an endpoint another pipeline serves unless told to take it over", () => {
    const other = { pipelineId: "p-other", pipelineName: "Other" };
    expect(infer({ slug: "taken" }, other, "p-mine").errors).toEqual([
      { path: "slug", message: "endpoint 'taken' is served by pipeline 'Other'; choose another slug or tick 'Take over the endpoint'" },
    ]);
    // An unsaved document cannot own anything yet.
    expect(infer({ slug: "taken" }, other).errors).toHaveLength(1);
    expect(infer({ slug: "taken", takeOver: true }, other, "p-mine")).toEqual({});
    expect(infer({ slug: "taken" }, { pipelineId: "p-mine", pipelineName: "Mine" }, "p-mine")).toEqual({});
    expect(infer({ slug: "free" }, other, "p-mine")).toEqual({});
  });

  it("asks for a slug and names a malformed one", () => {
    expect(infer({}).errors).toEqual([{ path: "slug", message: "choose an endpoint slug" }]);
    expect(infer({ slug: "Not A Slug" }).errors).toEqual([{ path: "slug", message: "use lowercase letters, digits and dashes (max 63)" }]);
  });
});
