/**
 * Real services for integration and e2e tests: a fresh database (in DATABASE_URL's server,
 * or an embedded Postgres), a Temporal dev server (TEMPORAL_ADDRESS, or the CLI), workers
 * as separate processes so tests can kill them.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { applyMigrations } from "~/db/migrate";
import { childEnv, env } from "~/lib/env";
import { spawnChild, workerArgs, type Child } from "../launcher/children";
import { embeddedPostgres } from "../launcher/embedded-postgres";
import { findTemporalCli, installTemporalCli, startTemporalDevServer } from "../launcher/temporal";

/** The first port of the kernel's ephemeral range, from which outgoing connections take their local ports. */
function ephemeralStart() {
  try {
    return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * Distinct free loopback ports, below the ephemeral range: a port from within it (what listening
 * on port 0 gives) can be taken by any outgoing connection between its choice and the bind of the
 * server it is for — a CI run lost Temporal's UI port so. All are held open until every one is
 * chosen, so none repeats.
 */
export async function freePorts(count: number): Promise<number[]> {
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralStart());
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries >= 1_000) throw new Error(`no ${count} free loopback ports between ${low} and ${high}`);
    const port = low + Math.floor(Math.random() * (high - low));
    if (ports.includes(port)) continue;
    const server = await new Promise<net.Server | null>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(null));
      srv.listen(port, "127.0.0.1", () => resolve(srv));
    });
    if (!server) continue;
    servers.push(server);
    ports.push(port);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface TestServices {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServices(label: string): Promise<TestServices> {
  const stops: (() => Promise<void>)[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `millrace-${label}-`));
  // Embedded Postgres runs as its own user when we are root: it must be able to enter this dir.
  fs.chmodSync(dataDir, 0o755);
  const toolsDir = path.resolve(".data");

  const configured = env();
  let baseUrl = configured.DATABASE_URL;
  if (!baseUrl) {
    const [pgPort] = await freePorts(1);
    const pg = await embeddedPostgres({ dir: path.join(dataDir, "pg"), port: pgPort!, database: "postgres", password: randomBytes(18).toString("base64url"), log: () => {} });
    const running = await pg.start();
    stops.push(running.stop);
    baseUrl = pg.url;
  }
  const dbName = `millrace_${label}_${Date.now().toString(36)}_${process.pid}`.replace(/[^a-z0-9_]/g, "_");
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  await applyMigrations(databaseUrl);
  stops.push(async () => {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end({ timeout: 5 });
  });

  let temporalAddress = configured.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    try {
      const cli = findTemporalCli(toolsDir, configured.TEMPORAL_CLI) ?? installTemporalCli(toolsDir, console.log);
      const [port, uiPort, httpPort] = await freePorts(3);
      const temporal = await startTemporalDevServer({ cli, dataDir, port: port!, uiPort: uiPort!, httpPort, namespace: "default" });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
    } catch (e) {
      for (const s of stops.reverse()) await s().catch(() => {});
      throw e;
    }
  }

  return {
    databaseUrl,
    temporalAddress,
    // A queue of its own, so tests never pick up another suite's workflows.
    taskQueue: `millrace-${label}-${process.pid}`,
    dataDir,
    async stop() {
      for (const s of stops.reverse()) await s().catch((e) => console.error("[test services] stop failed:", e));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The variables that point a process at the test services. */
export function serviceVars(s: Omit<TestServices, "stop">, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: s.databaseUrl,
    TEMPORAL_ADDRESS: s.temporalAddress,
    TEMPORAL_TASK_QUEUE: s.taskQueue,
    MILLRACE_DATA_DIR: s.dataDir,
    ...extra,
  };
}

/** A worker in its own process (one process: killing it kills the worker), as `npm run worker` starts it. */
export function spawnWorker(s: Omit<TestServices, "stop">, name = "worker", extra: Record<string, string> = {}, logFile?: string): Child {
  return spawnChild(name, process.execPath, workerArgs, { env: childEnv(serviceVars(s, extra)), logFile });
}
