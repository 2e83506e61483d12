import { describe, expect, it } from "vitest";
import type { PipelineGraph } from "~/lib/pipeline/document";
import { demoPipeline } from "~/lib/templates/demo";
import { demoColumns } from "./testing";
import { compile, portsCompatible } from "./compile";

const columns = demoColumns;
const ctx = { datasetColumns: (id: string) => (id === "ds" ? columns : undefined) };
const demo = (): PipelineGraph => structuredClone(demoPipeline("ds"));
const node = (g: PipelineGraph, id: string) => g.nodes.find((n) => n.id === id)!;

describe("compile", () => {
  it("turns the demo into a topologically ordered plan with defaults filled in", () => {
    const res = compile(demo(), ctx);
    expect(res.errors).toEqual([]);
    const order = res.plan!.map((n) => n.id);
    expect(order).toEqual(["ingest", "clean", "feature", "split", "train", "evaluate", "deploy", "monitor"]);
    const train = res.plan!.find((n) => n.id === "train")!;
    expect(train.config).toMatchObject({ nEstimators: 100, maxDepth: 0, target: "target", engine: "histogram", maxFeatures: "auto" });
    expect(train.inputs).toEqual({ train: { node: "split", port: "train" } });
    expect(res.columns.feature?.dataset?.map((c) => c.name)).toContain("new_feature");
    expect(res.columns.clean?.dataset?.every((c) => !c.nullable)).toBe(true);
  });

  it("judges a node's settings again only when its settings object is new (the canvas keeps unchanged ones)", () => {
    const g = demo();
    const split = node(g, "split");
    split.config = { testFraction: 1.5 };
    expect(compile(g, ctx).errors).toEqual([expect.objectContaining({ nodeId: "split", path: "config.testFraction" })]);
    // The same object again: the same verdict; a new object with a fixed value: judged afresh.
    expect(compile(g, ctx).errors).toEqual([expect.objectContaining({ nodeId: "split", path: "config.testFraction" })]);
    split.config = { testFraction: 0.25 };
    const fixed = compile(g, ctx);
    expect(fixed.errors).toEqual([]);
    expect(fixed.plan!.find((n) => n.id === "split")!.config).toMatchObject({ testFraction: 0.25 });
  });

  it("reports every problem at once: a node whose settings fail still has its columns checked, with the failing ones at their defaults", () => {
    const g = demo();
    node(g, "train").config = { nEstimators: 2.5, target: "no_such_column" };
    const errors = compile(g, ctx).errors;
    expect(errors).toEqual([
      expect.objectContaining({ nodeId: "train", path: "config.nEstimators", message: "Trees must be a whole number from 1 to 2000" }),
      expect.objectContaining({ nodeId: "train", path: "config.target", message: expect.stringContaining("no_such_column") }),
    ]);
    // The nodes after it still get its outputs: nothing downstream fails for want of its columns.
    expect(errors.filter((e) => e.nodeId !== "train")).toEqual([]);
  });

  it("refuses target encoding upstream of a train/test split, and takes it on the split's train side", () => {
    const withCity = { datasetColumns: (id: string) => (id === "ds" ? [...columns, { name: "city", type: "string" as const, nullable: false }] : undefined) };
    const before = demo();
    before.nodes.push({ id: "enc", type: "target-encode", config: { target: "target" }, position: { x: 0, y: 0 } });
    // feature → enc → split: two steps upstream of the split.
    before.edges = before.edges.filter((e) => !(e.source === "feature" && e.target === "split"));
    before.edges.push({ source: "feature", sourceHandle: "dataset", target: "enc", targetHandle: "dataset" }, { source: "enc", sourceHandle: "dataset", target: "split", targetHandle: "dataset" });
    expect(compile(before, withCity).errors).toEqual([
      { nodeId: "enc", path: "inputs", message: expect.stringMatching(/^Target encode runs before Train\/test split 'split': .* Connect it after the split, to its Train output$/) },
    ]);
    const after = demo();
    after.nodes.push({ id: "enc", type: "target-encode", config: { target: "target" }, position: { x: 0, y: 0 } });
    after.edges = after.edges.filter((e) => !(e.source === "split" && e.target === "train"));
    after.edges.push({ source: "split", sourceHandle: "train", target: "enc", targetHandle: "dataset" }, { source: "enc", sourceHandle: "dataset", target: "train", targetHandle: "train" });
    const ok = compile(after, withCity);
    expect(ok.errors).toEqual([]);
    expect(ok.plan!.map((n) => n.id)).toContain("enc");
  });

  it("names the node and field of an invalid config", () => {
    const g = demo();
    node(g, "split").config = { testFraction: 1.5 };
    node(g, "deploy").config = { slug: "Not A Slug" };
    const res = compile(g, ctx);
    expect(res.plan).toBeUndefined();
    expect(res.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: "split", path: "config.testFraction" }),
        expect.objectContaining({ nodeId: "deploy", path: "config.slug", message: expect.stringMatching(/lowercase/) }),
      ]),
    );
  });

  it("says what a field takes, in the field's own words, all at once", () => {
    const g = demo();
    node(g, "split").config = { testFraction: 1.5, seed: 0.5, method: "sometimes" };
    node(g, "train").config = { nEstimators: 2.5, oobScore: "yes", features: "all" };
    const messages = compile(g, ctx).errors.map((e) => `${e.nodeId}.${e.path}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "split.config.testFraction: Test fraction must be a number above 0 and below 1",
        "split.config.seed: Seed must be a whole number",
        "split.config.method: Method must be one of random, time",
        "train.config.nEstimators: Trees must be a whole number from 1 to 2000",
        "train.config.oobScore: Out-of-bag score must be on or off",
        "train.config.features: Feature columns must be a list",
      ]),
    );
  });

  it("rejects incompatible ports, unconnected inputs, doubled inputs and unknown types", () => {
    const g = demo();
    g.edges = g.edges.filter((e) => !(e.target === "evaluate" && e.targetHandle === "test"));
    g.edges.push({ source: "train", sourceHandle: "model", target: "feature", targetHandle: "dataset" });
    g.edges.push({ source: "ingest", sourceHandle: "dataset", target: "split", targetHandle: "dataset" });
    g.nodes.push({ id: "x", type: "no-such-node", config: {}, position: { x: 0, y: 0 } });
    const { errors } = compile(g, ctx);
    expect(errors).toEqual(
      expect.arrayContaining([
        { nodeId: "feature", path: "inputs.dataset", message: "input 'Dataset' takes a dataset, but train sends a model" },
        { nodeId: "evaluate", path: "inputs.test", message: "input 'Test set' is not connected" },
        { nodeId: "split", path: "inputs.dataset", message: "input 'Dataset' has more than one connection" },
        { nodeId: "x", path: "type", message: "unknown node type 'no-such-node'" },
      ]),
    );
  });

  it("rejects cycles, naming every node on them", () => {
    const g: PipelineGraph = {
      nodes: [
        { id: "a", type: "fill-missing", config: {}, position: { x: 0, y: 0 } },
        { id: "b", type: "derive-column", config: { expression: "1" }, position: { x: 0, y: 0 } },
      ],
      edges: [
        { source: "a", sourceHandle: "dataset", target: "b", targetHandle: "dataset" },
        { source: "b", sourceHandle: "dataset", target: "a", targetHandle: "dataset" },
      ],
    };
    const cyc = compile(g, ctx).errors.filter((e) => e.message === "node is part of a cycle");
    expect(cyc.map((e) => e.nodeId).sort()).toEqual(["a", "b"]);
  });

  it("checks columns through the graph: unknown dataset, missing target, bad expression, text features", () => {
    const g = demo();
    node(g, "train").config = { target: "label", features: ["feature_1", "missing_col"] };
    node(g, "feature").config = { name: "feature_2", expression: "feature_1 * nope" };
    let { errors } = compile(g, ctx);
    expect(errors).toEqual(
      expect.arrayContaining([
        { nodeId: "train", path: "config.target", message: "column 'label' is not in the input" },
        { nodeId: "train", path: "config.features.1", message: "column 'missing_col' is not in the input" },
        { nodeId: "feature", path: "config.expression", message: "column 'nope' is not in the input" },
        { nodeId: "feature", path: "config.name", message: "column 'feature_2' already exists" },
      ]),
    );
    node(g, "ingest").config = { datasetId: "gone" };
    ({ errors } = compile(g, ctx));
    expect(errors).toContainEqual({ nodeId: "ingest", path: "config.datasetId", message: "dataset gone does not exist" });
  });

  it("knows which ports connect", () => {
    expect(portsCompatible("random-forest", "model", "evaluate", "model")).toBe(true);
    expect(portsCompatible("random-forest", "model", "evaluate", "test")).toBe(false);
    expect(portsCompatible("train-test-split", "test", "evaluate", "test")).toBe(true);
    expect(portsCompatible("nope", "x", "evaluate", "test")).toBe(false);
  });
});
