/**
 * Schemathesis, the OpenAPI-driven fuzzer (PyPI), for the e2e suite: taken from SCHEMATHESIS or
 * PATH, else installed once into .data/tools like the Temporal CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { childEnv, pathDirs } from "~/lib/env";

/** The version .ci/run installs too. @public */
export const SCHEMATHESIS_VERSION = "4.32.5";

const target = path.resolve(".data", "tools", "schemathesis");

function onPath(name: string) {
  return pathDirs()
    .map((d) => path.join(d, name))
    .find((p) => fs.existsSync(p));
}

function schemathesis(): { cmd: string; env: NodeJS.ProcessEnv } {
  const local = { cmd: path.join(target, "bin", "st"), env: childEnv({ PYTHONPATH: target }) };
  if (fs.existsSync(local.cmd)) return local;
  const global = onPath("st") ?? onPath("schemathesis");
  if (global) return { cmd: global, env: childEnv() };
  const python = onPath("python3") ?? onPath("python");
  if (!python) throw new Error("schemathesis is not installed and python3 is not available to install it (pip install schemathesis)");
  execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", target, `schemathesis==${SCHEMATHESIS_VERSION}`], { stdio: "inherit" });
  return local;
}

export interface FuzzResult {
  ok: boolean;
  generated: number;
  serverErrors: number;
  output: string;
}

/**
 * Runs every check against an OpenAPI document; `exclude` names checks that do not apply,
 * `includePath` / `excludePath` (regular expressions) choose operations by path, `headers` go on
 * every request.
 * `bearer` gives a token per security scheme of the document, so Schemathesis knows which
 * credentials each operation takes (and can check that leaving them out is refused).
 */
export function fuzz(
  schemaUrl: string,
  opts: { examples: number; exclude?: string[]; seed?: number; bearer?: Record<string, string>; includePath?: string; excludePath?: string; headers?: Record<string, string> },
): FuzzResult {
  const st = schemathesis();
  const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-st-")), "schemathesis.toml");
  fs.writeFileSync(configFile, Object.entries(opts.bearer ?? {}).map(([scheme, token]) => `[auth.openapi.${scheme}]\nbearer = ${JSON.stringify(token)}\n`).join("\n"));
  const args = ["--config-file", configFile, "run", schemaUrl, "--checks", "all", "-n", String(opts.examples), "--no-color", "--seed", String(opts.seed ?? 1), "--generation-database", "none"];
  if (opts.exclude?.length) args.push("--exclude-checks", opts.exclude.join(","));
  if (opts.includePath) args.push("--include-path-regex", opts.includePath);
  for (const [name, value] of Object.entries(opts.headers ?? {})) args.push("-H", `${name}: ${value}`);
  if (opts.excludePath) args.push("--exclude-path-regex", opts.excludePath);
  const r = spawnSync(st.cmd, args, { env: st.env, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const generated = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
  const serverErrors = Number(/Server error: (\d+)/.exec(output)?.[1] ?? 0);
  return { ok: r.status === 0, generated, serverErrors, output };
}
