import { describe, expect, it } from "vitest";
import { cacheKey, whyItRuns } from "./node-cache";

const ref = (uri: string) => ({ kind: "dataset" as const, uri, rows: 10, columns: [], lineage: { rawColumns: [], steps: [] } });

describe("node cache", () => {
  it("keys by type, config (in any key order) and input artifacts, within a workspace", () => {
    const node = { type: "random-forest", config: { nEstimators: 100, seed: 1 } };
    const key = cacheKey("ws", node, { train: ref("artifact:a") });
    expect(cacheKey("ws", { type: "random-forest", config: { seed: 1, nEstimators: 100 } }, { train: ref("artifact:a") })).toBe(key);
    expect(cacheKey("ws", { ...node, config: { nEstimators: 101, seed: 1 } }, { train: ref("artifact:a") })).not.toBe(key);
    expect(cacheKey("ws", node, { train: ref("artifact:b") })).not.toBe(key);
    expect(cacheKey("other", node, { train: ref("artifact:a") })).not.toBe(key);
  });

  it("says why a node runs, against its last cached output", () => {
    const prev = { type: "random-forest", config: { maxDepth: 16, seed: 1 }, inputs: { train: "artifact:a" } };
    expect(whyItRuns(undefined, prev, prev.inputs)).toBe("no earlier output of this node");
    expect(whyItRuns(prev, { type: "random-forest", config: { maxDepth: 32, seed: 1 } }, prev.inputs)).toBe("config changed: maxDepth 16 → 32");
    expect(whyItRuns(prev, { type: "random-forest", config: { seed: 1 } }, prev.inputs)).toBe("config changed: maxDepth 16 → unset");
    expect(whyItRuns(prev, prev, { train: "artifact:b" })).toBe("input changed: train (an upstream node ran again)");
    expect(whyItRuns(prev, { type: "scale", config: prev.config }, prev.inputs)).toBe("node type changed: random-forest → scale");
  });
});
