/**
 * Starts what a user's `npm start` would: a fresh database with the demo seeded, Temporal,
 * a worker process and the production web server — all on services of the test's own.
 */
import { closeDb, db } from "~/db/client";
import { childEnv, setEnv } from "~/lib/env";
import { seedDemo } from "~/server/demo/seed";
import { ensureBuild } from "~/server/launcher/build";
import { spawnChild, webArgs, type Child } from "~/server/launcher/children";
import { serviceVars, spawnWorker, startTestServices } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { E2E_PORT } from "../playwright.config";

export default async function globalSetup() {
  const services = await startTestServices("e2e");
  const children: Child[] = [];
  const teardown = async () => {
    for (const c of children.reverse()) await c.stop();
    await services.stop();
  };
  try {
    const vars = serviceVars(services, { PORT: String(E2E_PORT), PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}` });
    setEnv(vars);
    await seedDemo(db(), artifactStore());
    await closeDb();

    ensureBuild((m) => console.log(`[e2e] ${m}`));
    children.push(spawnWorker(services));
    children.push(spawnChild("web", process.execPath, webArgs(), { env: childEnv({ ...vars, NODE_ENV: "production" }) }));

    const deadline = Date.now() + 120_000;
    for (;;) {
      if (children.some((c) => c.proc.exitCode !== null)) throw new Error("worker or web exited during start-up");
      const ok = await fetch(`http://127.0.0.1:${E2E_PORT}/api/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error("the app did not become healthy within 120 s");
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (e) {
    // Playwright runs no teardown when set-up throws: leave nothing running behind.
    await teardown();
    throw e;
  }
  return teardown;
}
