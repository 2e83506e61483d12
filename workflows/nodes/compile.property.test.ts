/** Property tests (fast-check): whatever graph arrives, the compiler answers with problems, never a crash. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PipelineGraph } from "~/lib/pipeline/document";
import { compile } from "./compile";
import { nodeSpecs } from "./registry";

const types = [...Object.keys(nodeSpecs), "no-such-type"];
const ports = ["dataset", "train", "test", "model", "metrics", "endpoint", "nope"];
const columns = [
  { name: "a", type: "number" as const, nullable: true },
  { name: "b", type: "string" as const, nullable: false },
];

const graph: fc.Arbitrary<PipelineGraph> = fc
  .array(fc.record({ type: fc.constantFrom(...types), config: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })) }), { maxLength: 8 })
  .chain((nodes) => {
    const ids = nodes.map((_, i) => `n${i}`);
    const id = ids.length ? fc.constantFrom(...ids, "ghost") : fc.constant("ghost");
    return fc.record({
      nodes: fc.constant(nodes.map((n, i) => ({ id: ids[i]!, type: n.type, config: n.config as Record<string, unknown>, position: { x: 0, y: 0 } }))),
      edges: fc.array(fc.record({ source: id, sourceHandle: fc.constantFrom(...ports), target: id, targetHandle: fc.constantFrom(...ports) }), { maxLength: 12 }),
    });
  });

describe("compile (property)", () => {
  it("never throws, and every problem names a node (or none), a path and a message", () => {
    fc.assert(
      fc.property(graph, (g) => {
        const res = compile(g, { datasetColumns: (id) => (id === "ds" ? columns : undefined), endpoint: () => undefined });
        for (const e of res.errors) {
          expect(e.nodeId === null || g.nodes.some((n) => n.id === e.nodeId) || e.nodeId === "ghost").toBe(true);
          expect(typeof e.path).toBe("string");
          expect(e.message.length).toBeGreaterThan(0);
        }
        // A plan exists exactly when there are no problems, and lists every node once, inputs first.
        expect(res.plan === undefined).toBe(res.errors.length > 0);
        if (res.plan) {
          const seen = new Set<string>();
          for (const n of res.plan) {
            for (const src of Object.values(n.inputs)) expect(seen.has(src.node)).toBe(true);
            seen.add(n.id);
          }
          expect(seen.size).toBe(g.nodes.length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
