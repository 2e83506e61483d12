/**
 * Checks that every node type is whole: each folder under workflows/nodes/ is registered, its
 * spec's `type` is the folder's name, it has an executor for that type and tests; every
 * registered type has its folder. `npm run check` runs it; a half-registered type fails.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getSpec, nodeSpecs } from "./registry";

const here = path.dirname(fileURLToPath(import.meta.url));

export async function verifyNodeFolders(dir = here): Promise<string[]> {
  const problems: string[] = [];
  const folders = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const registered = new Set(Object.keys(nodeSpecs));
  for (const folder of folders) {
    const files = fs.readdirSync(path.join(dir, folder));
    const where = `workflows/nodes/${folder}`;
    if (!files.includes("spec.ts")) {
      problems.push(`${where}: no spec.ts`);
      continue;
    }
    const { spec } = (await import(pathToFileURL(path.join(dir, folder, "spec.ts")).href)) as { spec?: { type?: string } };
    if (spec?.type !== folder) problems.push(`${where}/spec.ts: exports no \`spec\` whose type is '${folder}'`);
    if (!registered.has(folder)) problems.push(`${where}: not in the registry (add it to workflows/nodes/registry.ts)`);
    else if (getSpec(folder) !== spec) problems.push(`${where}: the registry holds another spec for '${folder}'`);
    if (!files.includes("execute.ts")) problems.push(`${where}: no execute.ts (the worker runs '${folder}' nodes with it)`);
    else {
      const { executor } = (await import(pathToFileURL(path.join(dir, folder, "execute.ts")).href)) as { executor?: { type?: string; execute?: unknown } };
      if (typeof executor?.execute !== "function" || executor.type !== folder) {
        problems.push(`${where}/execute.ts: exports no \`executor = defineExecutor(spec, …)\` for '${folder}'`);
      }
    }
    if (!files.some((f) => f.endsWith(".test.ts"))) problems.push(`${where}: no tests (*.test.ts)`);
  }
  for (const type of registered) {
    if (!folders.includes(type)) problems.push(`registry: '${type}' has no folder workflows/nodes/${type}`);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = await verifyNodeFolders();
  if (problems.length) {
    console.error(`node registry: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`node registry: ${Object.keys(nodeSpecs).length} node types, each whole`);
}
