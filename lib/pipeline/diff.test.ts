import { describe, expect, it } from "vitest";
import { compareSettings, diffPipelines } from "./diff";

const node = (id: string, type: string, config: Record<string, unknown> = {}, x = 0) => ({ id, type, config, position: { x, y: 0 } });
const edge = (source: string, target: string) => ({ source, sourceHandle: "dataset", target, targetHandle: "dataset" });

describe("pipeline diff", () => {
  it("names added, removed, changed and moved nodes, edges and a rename", () => {
    const before = { name: "A", parameters: [{ name: "n", type: "integer" as const, default: 1 }, { name: "gone", type: "string" as const, default: "" }], nodes: [node("csv", "csv-dataset", { datasetId: "d" }), node("fill", "fill-missing", { value: 0 }), node("old", "derive-column")], edges: [edge("csv", "fill"), edge("fill", "old")] };
    const after = { name: "B", parameters: [{ name: "n", type: "integer" as const, default: 2 }, { name: "kept", type: "boolean" as const, default: true }], nodes: [node("csv", "csv-dataset", { datasetId: "d" }, 50), node("fill", "fill-missing", { value: 1, columns: ["a"] }), node("new", "scale")], edges: [edge("csv", "fill"), edge("fill", "new")] };
    expect(diffPipelines(before, after)).toEqual({
      renamed: { from: "A", to: "B" },
      added: ["new"],
      removed: [{ id: "old", type: "derive-column" }],
      changed: [{ id: "fill", fields: ["columns", "value"] }],
      moved: ["csv"],
      edgesAdded: ["fill.dataset → new.dataset"],
      edgesRemoved: ["fill.dataset → old.dataset"],
      parameters: ["n", "gone", "kept"],
      notes: [],
    });
  });
  it("names notes added, removed or rewritten, not moved", () => {
    const note = (id: string, text: string, x = 0) => ({ id, text, position: { x, y: 0 }, size: { width: 208, height: 120 } });
    const before = { name: "A", nodes: [], edges: [], notes: [note("kept", "same", 0), note("edited", "old"), note("gone", "x")] };
    const after = { name: "A", nodes: [], edges: [], notes: [note("kept", "same", 90), note("edited", "new"), note("new", "y")] };
    expect(diffPipelines(before, after).notes).toEqual(["edited", "gone", "new"]);
  });
  it("finds nothing between a version and itself", () => {
    const doc = { name: "A", nodes: [node("csv", "csv-dataset")], edges: [] };
    expect(diffPipelines(doc, structuredClone(doc))).toEqual({ renamed: null, added: [], removed: [], changed: [], moved: [], edgesAdded: [], edgesRemoved: [], parameters: [], notes: [] });
  });
});

describe("settings side by side", () => {
  const node = (id: string, type: string, config: Record<string, unknown>) => ({ id, type, config, position: { x: 0, y: 0 } });
  it("lines up each node's settings across versions and marks what differs", () => {
    const a = { nodes: [node("train", "random-forest", { nEstimators: 100, seed: 1 }), node("split", "train-test-split", { testFraction: 0.2 })] };
    const b = { nodes: [node("train", "random-forest", { nEstimators: 300, seed: 1 }), node("split", "train-test-split", { testFraction: 0.2 }), node("scale", "scale", {})] };
    expect(compareSettings([a, b])).toEqual([
      { nodeId: "train", type: "random-forest", field: "", values: [true, true], differs: false },
      { nodeId: "train", type: "random-forest", field: "nEstimators", values: [100, 300], differs: true },
      { nodeId: "train", type: "random-forest", field: "seed", values: [1, 1], differs: false },
      { nodeId: "split", type: "train-test-split", field: "", values: [true, true], differs: false },
      { nodeId: "split", type: "train-test-split", field: "testFraction", values: [0.2, 0.2], differs: false },
      { nodeId: "scale", type: "scale", field: "", values: [undefined, true], differs: true },
    ]);
  });
});
