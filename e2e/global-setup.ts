/**
 * Starts what a user's `npm start` would: a fresh database with the demo seeded, Temporal,
 * a worker process and the production web server — all on services of the test's own.
 */
import fs from "node:fs";
import path from "node:path";
import { closeDb, db } from "~/db/client";
import { childEnv, setEnv } from "~/lib/env";
import { seedDemo } from "~/server/demo/seed";
import { ensureBuild } from "~/server/launcher/build";
import { appArgs, spawnChild, webArgs, type Child } from "~/server/launcher/children";
import { serviceVars, spawnWorker, startTestServices } from "~/server/testing/services";
import { ensureFirstAdmin } from "~/server/workspaces/first-admin";
import { artifactStore } from "~/workflows/artifacts";
import { APP_LOG, AUTH_STATE, E2E_METRICS_TOKEN, E2E_PORT, E2E_SIGN_IN_LIMIT, STATE_DIR } from "../playwright.config";

export default async function globalSetup() {
  const services = await startTestServices("e2e");
  const children: Child[] = [];
  const teardown = async () => {
    for (const c of children.reverse()) await c.stop();
    await services.stop();
  };
  try {
    const vars = serviceVars(services, {
      PORT: String(E2E_PORT),
      PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}`,
      SIGN_IN_ATTEMPTS_PER_MINUTE: String(E2E_SIGN_IN_LIMIT),
      // Lets the rate-limit spec act as a client address of its own.
      TRUSTED_PROXY_HEADER: "x-forwarded-for",
      METRICS_TOKEN: E2E_METRICS_TOKEN,
      // The secrets spec points a PostgreSQL source at this machine.
      PRIVATE_SOURCE_HOSTS: "127.0.0.1",
      // Drift gauges and alarms judged every 2 s (30 s by default), for the monitoring specs.
      MONITOR_EVAL_MS: "2000",
      // The worker's own /metrics, which the Prometheus spec scrapes.
      WORKER_METRICS_PORT: String(E2E_PORT + 2),
    });
    setEnv(vars);
    await seedDemo(db(), artifactStore());
    // As `npm start` does on a fresh database: the administrator, its password and token in the data dir.
    const admin = await ensureFirstAdmin(db(), { email: "admin@millrace.local", dataDir: services.dataDir });
    await closeDb();
    if (!admin?.passwordFile) throw new Error("the first-start administrator was not created");
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
    fs.mkdirSync(STATE_DIR, { recursive: true });
    fs.copyFileSync(admin.tokenFile, path.join(STATE_DIR, "admin-token"));
    fs.copyFileSync(admin.passwordFile, path.join(STATE_DIR, "admin-password"));

    ensureBuild((m) => console.log(`[e2e] ${m}`));
    children.push(spawnWorker(services, "worker", vars, APP_LOG));
    const webEnv = childEnv({ ...vars, NODE_ENV: "production" });
    children.push(spawnChild("app", process.execPath, appArgs(), { env: webEnv, logFile: APP_LOG }));
    children.push(spawnChild("web", process.execPath, webArgs(), { env: webEnv, logFile: APP_LOG }));

    const deadline = Date.now() + 120_000;
    for (;;) {
      if (children.some((c) => c.proc.exitCode !== null)) throw new Error("the worker, app or web process exited during start-up");
      const ok = await fetch(`http://127.0.0.1:${E2E_PORT}/api/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error("the app did not become healthy within 120 s");
      await new Promise((r) => setTimeout(r, 300));
    }
    await signIn(admin.email, fs.readFileSync(admin.passwordFile, "utf8").trim());
  } catch (e) {
    // Playwright runs no teardown when set-up throws: leave nothing running behind.
    await teardown();
    throw e;
  }
  return teardown;
}

/** Signs the administrator in once, through the real sign-in route, and keeps the session for the browser specs. */
async function signIn(email: string, password: string) {
  const base = `http://127.0.0.1:${E2E_PORT}`;
  const res = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`signing the administrator in failed: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => {
    const [pair, ...attrs] = c.split(";").map((p) => p.trim());
    const eq = pair!.indexOf("=");
    const attr = (name: string) => attrs.find((a) => a.toLowerCase().startsWith(`${name}=`))?.split("=")[1];
    const maxAge = Number(attr("max-age") ?? 0);
    return {
      name: pair!.slice(0, eq),
      value: pair!.slice(eq + 1),
      domain: "127.0.0.1",
      path: attr("path") ?? "/",
      expires: maxAge ? Math.floor(Date.now() / 1000) + maxAge : -1,
      httpOnly: attrs.some((a) => a.toLowerCase() === "httponly"),
      secure: false,
      sameSite: "Lax" as const,
    };
  });
  fs.writeFileSync(AUTH_STATE, JSON.stringify({ cookies, origins: [] }));
}
