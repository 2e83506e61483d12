import { describe, expect, it } from "vitest";
import { timelineRows, type RunGraph, type RunNodeState } from "./run-parts";

const node = (nodeId: string, startedAt: string | null, finishedAt: string | null, status = "succeeded"): RunNodeState => ({
  nodeId,
  type: "x",
  status,
  attempt: 1,
  panels: [],
  progress: null,
  workMs: null,
  startedAt,
  finishedAt,
});

describe("run timeline", () => {
  it("measures queue wait from the moment the last input was ready", () => {
    const graph: RunGraph = {
      nodes: ["a", "b", "c", "d"].map((id) => ({ id, type: "x", position: { x: 0, y: 0 } })),
      edges: [
        { source: "a", target: "c" },
        { source: "b", target: "c" },
        { source: "c", target: "d" },
      ],
    };
    const t = (s: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, s)).toISOString();
    const rows = timelineRows(graph, [node("a", t(1), t(3)), node("b", t(0), t(5)), node("c", t(7), t(9)), node("d", null, null, "skipped")], t(0));
    expect(rows).toEqual([
      { nodeId: "b", status: "succeeded", ready: 0, start: 0, end: 5000 },
      { nodeId: "a", status: "succeeded", ready: 0, start: 1000, end: 3000 },
      // Ready when b (the later input) finished at 5 s; started at 7 s: 2 s in the queue.
      { nodeId: "c", status: "succeeded", ready: 5000, start: 7000, end: 9000 },
    ]);
  });
});
