import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nodeSpecs } from "./registry";
import { verifyNodeFolders } from "./verify";

describe("node registry check (npm run check:nodes)", () => {
  it("finds every node type whole", async () => {
    expect(await verifyNodeFolders()).toEqual([]);
  });

  it("names a half-registered type and a registered type without its folder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-nodes-"));
    try {
      fs.mkdirSync(path.join(dir, "ghost"));
      fs.writeFileSync(path.join(dir, "ghost", "spec.ts"), 'export const spec = { type: "ghost" };\n');
      fs.mkdirSync(path.join(dir, "fill-missing"));
      fs.writeFileSync(path.join(dir, "fill-missing", "spec.ts"), 'export const spec = { type: "fill-missing" };\n');
      fs.writeFileSync(path.join(dir, "fill-missing", "execute.ts"), 'export const executor = { type: "derive-column", execute: async () => ({ outputs: {} }) };\n');
      const problems = await verifyNodeFolders(dir);
      expect(problems).toEqual(
        expect.arrayContaining([
          "workflows/nodes/ghost: not in the registry (add it to workflows/nodes/registry.ts)",
          "workflows/nodes/ghost: no execute.ts (the worker runs 'ghost' nodes with it)",
          "workflows/nodes/ghost: no tests (*.test.ts)",
          "workflows/nodes/fill-missing: the registry holds another spec for 'fill-missing'",
          "workflows/nodes/fill-missing/execute.ts: exports no `executor = defineExecutor(spec, …)` for 'fill-missing'",
          "registry: 'random-forest' has no folder workflows/nodes/random-forest",
        ]),
      );
      expect(problems.filter((p) => p.startsWith("registry:"))).toHaveLength(Object.keys(nodeSpecs).length - 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
