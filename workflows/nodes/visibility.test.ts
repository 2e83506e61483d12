import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { PipelineGraph } from "~/lib/pipeline/document";
import { hiddenFields } from "~/lib/pipeline/visibility";
import { demoPipeline } from "~/lib/templates/demo";
import { demoColumns } from "./testing";
import { compile } from "./compile";
import { getSpec } from "./registry";

const columns = demoColumns;
const ctx = { datasetColumns: (id: string) => (id === "ds" ? columns : undefined) };
const node = (g: PipelineGraph, id: string) => g.nodes.find((n) => n.id === id)!;
const fields = (type: string) => (z.toJSONSchema(getSpec(type)!.config, { io: "input", unrepresentable: "any" }) as { properties: Record<string, object> }).properties;

describe("settings that apply (visibleWhen)", () => {
  it("hides a classifier's class weights for a regressor, and the other engine's settings", () => {
    expect([...hiddenFields(fields("random-forest"), {})]).toEqual([]);
    expect([...hiddenFields(fields("random-forest"), { task: "regression" })]).toEqual(["classWeight"]);
    expect([...hiddenFields(fields("random-forest"), { engine: "ml-random-forest" })].sort()).toEqual(["classWeight", "minSamplesLeaf", "oobScore", "slices"]);
    // A parameter may choose either task; an invalid choice decides nothing.
    expect([...hiddenFields(fields("random-forest"), { task: { $param: "task" } })]).toEqual([]);
    expect([...hiddenFields(fields("random-forest"), { task: "sometimes" })]).toEqual([]);
  });

  it("shows a constant only where a constant is used: the strategy, or one column's override", () => {
    expect(hiddenFields(fields("fill-missing"), { strategy: "median" }).has("value")).toBe(true);
    expect(hiddenFields(fields("fill-missing"), { strategy: "median", perColumn: { a: "constant" } }).has("value")).toBe(false);
    expect([...hiddenFields(fields("train-test-split"), { method: "time" })].sort()).toEqual(["seed", "stratify", "target"]);
    expect([...hiddenFields(fields("train-test-split"), { stratify: "no" })].sort()).toEqual(["target", "timeColumn"]);
  });

  it("the compiler judges no setting that does not apply, and runs on its default", () => {
    const g = structuredClone(demoPipeline("ds"));
    // A target that is not in the data matters to a random split that stratifies, not to a time split.
    node(g, "split").config = { method: "random", stratify: "yes", target: "nope" };
    expect(compile(g, ctx).errors.map((e) => `${e.nodeId}.${e.path}`)).toEqual(["split.config.target"]);
    node(g, "split").config = { method: "random", seed: "x" };
    expect(compile(g, ctx).errors.map((e) => `${e.nodeId}.${e.path}`)).toEqual(["split.config.seed"]);
    node(g, "split").config = { method: "time", timeColumn: "feature_4", stratify: "yes", target: "nope", seed: "x" };
    const res = compile(g, ctx);
    expect(res.errors).toEqual([]);
    expect(res.plan!.find((n) => n.id === "split")!.config).toMatchObject({ method: "time", seed: 42 });
  });
});
