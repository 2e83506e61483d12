/** Property tests (fast-check): any JSON body gets instances or a reason, and every field problem is named. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { InputField } from "~/workflows/model/signature";
import { parseInstances, validateInstances } from "~/workflows/model/validate";

const columns: InputField[] = [
  { name: "x", type: "number", nullable: true },
  { name: "s", type: "string", nullable: false },
  { name: "instances", type: "boolean", nullable: false },
  { name: "flag", type: "boolean", nullable: false, optional: true, tokens: { true: ["Yes"], false: ["No"] } },
];

describe("endpoint input (property)", () => {
  it("never throws on any JSON, and every problem names its instance and field", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => {
        const parsed = parseInstances(body, 5, columns);
        if ("error" in parsed) {
          expect(parsed.error.length).toBeGreaterThan(0);
          return;
        }
        const { errors: problems } = validateInstances(parsed.instances, columns, "reject");
        for (const p of problems) {
          expect(p.instance).toBeLessThan(parsed.instances.length);
          expect(p.message.length).toBeGreaterThan(0);
        }
        // No problems means every input is there with its type: safe to hand to the model.
        if (problems.length === 0) {
          for (const inst of parsed.instances as Record<string, unknown>[]) {
            expect(typeof inst.s).toBe("string");
            expect(typeof inst.instances).toBe("boolean");
            expect(inst.x === null || Number.isFinite(inst.x)).toBe(true);
            // Spellings of the source are converted to booleans; an optional field may be absent.
            expect(inst.flag === undefined || typeof inst.flag === "boolean").toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
