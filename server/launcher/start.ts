/**
 * `npm start`: brings up everything Millrace needs on one machine — Postgres and Temporal
 * (embedded, unless DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), migrations, demo data,
 * a production build when sources changed, the worker and the web server — and shuts it
 * all down on Ctrl-C or SIGTERM.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { closeDb, db } from "~/db/client";
import { applyMigrations } from "~/db/migrate";
import { childEnv, env, keptInDataDir, masterKey, setEnv } from "~/lib/env";
import { artifactStore } from "~/workflows/artifacts";
import { removeStaleUploads } from "../datasets/uploads";
import { seedDemo } from "../demo/seed";
import { ensureFirstAdmin } from "../workspaces/first-admin";
import { ensureBuild } from "./build";
import { appArgs, spawnChild, webArgs, workerArgs } from "./children";
import { embeddedPostgres } from "./embedded-postgres";
import { statusFileOf, Supervisor } from "./supervisor";
import { findTemporalCli, installTemporalCli, startTemporalDevServer, waitForTemporal } from "./temporal";

const t0 = Date.now();
const log = (msg: string) => console.log(`[millrace +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const dev = process.argv.includes("--dev");

const supervisor = new Supervisor(log, statusFileOf(env().dataDir));
let shuttingDown = false;

async function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  log("shutting down");
  await supervisor.stopAll();
  fs.rmSync(statusFileOf(env().dataDir), { force: true });
  process.exit(code);
}
// embedded-postgres installs async-exit-hook, whose SIGINT/SIGTERM handler stops Postgres and
// exits at once — before the web, worker and Temporal are stopped. The launcher owns shutdown.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void shutdown(0));
}
// Under `npm start`, a SIGTERM to npm may end npm alone: the launcher, reparented, notices and
// shuts everything down rather than leaving Postgres, Temporal, the web and the worker behind.
if (env().npm_lifecycle_event) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch); // once: shutting down takes a while, and the log should say it once
      log("npm went away; shutting down");
      void shutdown(0);
    }
  }, 1000).unref();
}

async function waitForHealth(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = await res.text();
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`not healthy after ${timeoutMs / 1000}s: ${last}`);
}

async function main() {
  const e = env();
  let firstStart = "";
  fs.mkdirSync(e.dataDir, { recursive: true });
  // The master key (sessions, secrets) exists before any process needs it: MILLRACE_SECRET_KEY, or generated into the data dir.
  masterKey();
  const childVars: Record<string, string> = { MILLRACE_LAUNCHER_PID: String(process.pid) };

  let databaseUrl = e.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded Postgres on 127.0.0.1:${e.EMBEDDED_PG_PORT} (data in ${path.join(e.dataDir, "postgres")})`);
    const pg = await embeddedPostgres({
      dir: path.join(e.dataDir, "postgres"),
      port: e.EMBEDDED_PG_PORT,
      password: keptInDataDir("postgres-password", () => randomBytes(24).toString("base64url")),
      database: "millrace",
      log: (l) => console.log(`[postgres] ${l}`),
    });
    await supervisor.add("postgres", () => pg.start());
    databaseUrl = pg.url;
  } else log("using DATABASE_URL");
  childVars.DATABASE_URL = databaseUrl;
  setEnv({ DATABASE_URL: databaseUrl });

  log("applying database migrations");
  await applyMigrations(databaseUrl);
  const { seeded } = await seedDemo(db(), artifactStore());
  if (seeded) log("seeded the demo dataset and pipeline");
  const stale = await removeStaleUploads();
  if (stale) log(`removed ${stale} staged upload(s) older than UPLOAD_RETENTION_HOURS`);
  const admin = await ensureFirstAdmin(db(), { email: e.MILLRACE_ADMIN_EMAIL, password: e.MILLRACE_ADMIN_PASSWORD, dataDir: e.dataDir });
  if (admin) {
    firstStart = [
      `first start: created the administrator ${admin.email}.`,
      admin.passwordFile ? `  Sign in at ${e.publicUrl}/sign-in with the password in ${admin.passwordFile}` : `  Sign in at ${e.publicUrl}/sign-in with MILLRACE_ADMIN_PASSWORD`,
      `  An API token with every scope is in ${admin.tokenFile}:  curl -H "Authorization: Bearer $(cat ${admin.tokenFile})" ${e.publicUrl}/api/v1/me`,
    ].join("\n");
  }
  await closeDb();

  if (!e.TEMPORAL_ADDRESS) {
    const cli = findTemporalCli(e.dataDir, e.TEMPORAL_CLI) ?? installTemporalCli(e.dataDir, log);
    log(`starting Temporal dev server on ${e.temporalAddress} (UI http://localhost:${e.TEMPORAL_UI_PORT})`);
    // Its file database keeps workflows across restarts: a restarted server resumes in-flight runs.
    await supervisor.add("temporal", () =>
      startTemporalDevServer({ cli, dataDir: e.dataDir, port: e.EMBEDDED_TEMPORAL_PORT, uiPort: e.TEMPORAL_UI_PORT, namespace: e.TEMPORAL_NAMESPACE }),
    );
    childVars.TEMPORAL_ADDRESS = e.temporalAddress;
  } else {
    log(`using Temporal at ${e.TEMPORAL_ADDRESS}`);
    await waitForTemporal(e.TEMPORAL_ADDRESS, 30_000);
  }

  if (!dev) ensureBuild(log);

  // Started in this order, stopped in reverse: the web process first, so nothing new reaches the app or the worker.
  await supervisor.add("worker", async () => {
    const worker = spawnChild("worker", process.execPath, workerArgs, { env: childEnv(childVars) });
    return { ...worker, stop: () => worker.stop(30_000) };
  });
  // Next in the app process, behind the web process that owns the port: either can die and come back alone.
  const webEnv = childEnv({ ...childVars, NODE_ENV: dev ? "development" : "production" });
  await supervisor.add("app", async () => spawnChild("app", process.execPath, appArgs(dev), { env: webEnv }));
  await supervisor.add("web", async () => spawnChild("web", process.execPath, webArgs(dev), { env: webEnv }));

  await waitForHealth(`http://127.0.0.1:${e.PORT}/api/health`, 120_000);
  log(`Millrace is ready at ${e.publicUrl}  (Temporal UI, loopback only: http://localhost:${e.TEMPORAL_UI_PORT})`);
  if (firstStart) log(firstStart);
}

main().catch(async (err: unknown) => {
  console.error("[millrace] start failed:", err instanceof Error ? err.message : err);
  await shutdown(1);
});
