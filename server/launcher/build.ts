import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { childEnv } from "~/lib/env";

const WATCHED = ["app", "components", "server", "workflows", "db", "lib", "public", "package-lock.json", "next.config.ts", "postcss.config.mjs", "tsconfig.json"];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Runs `next build` when no build exists or a source file is newer than it. */
export function ensureBuild(log: (msg: string) => void) {
  const buildId = path.resolve(".next", "BUILD_ID");
  const built = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const changed = Math.max(...WATCHED.map((p) => newestMtime(path.resolve(p))));
  if (built >= changed) return log("web build is up to date");
  log(built ? "sources changed since the last build; rebuilding the web app" : "building the web app (first start only, ~1 min)");
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: "inherit",
    env: childEnv(),
  });
}

