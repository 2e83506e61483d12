import { sql } from "drizzle-orm";
import { db, sweepPool } from "~/db/client";
import { env } from "~/lib/env";
import { messageOf } from "~/lib/errors";
import { recentPollers } from "~/workflows/temporal/client";
import { readLauncherStatus } from "./launcher/supervisor";

/**
 * Ready means: Postgres answers, Temporal answers, and a worker polled the task queue recently.
 * Under `npm start`, a process the launcher is restarting is reported by name at once (Temporal
 * would list a dead worker as a poller for another minute).
 */
const g = globalThis as unknown as { __millraceDbDown?: boolean };

export async function checkHealth() {
  const missing: string[] = [];
  const checks: Record<string, string> = {};
  for (const [name, svc] of Object.entries(readLauncherStatus(env().dataDir)?.services ?? {})) {
    if (svc.state !== "restarting") continue;
    checks[`process:${name}`] = `restarting after ${svc.lastExit ?? "an unexpected exit"} (restart ${svc.restarts + 1})`;
    missing.push(name);
  }
  try {
    await db().execute(sql`select 1`);
    checks.database = "ok";
    // Back after failing: the pool may still hold connections to the database that went away.
    if (g.__millraceDbDown) {
      g.__millraceDbDown = false;
      await sweepPool();
    }
  } catch (e) {
    g.__millraceDbDown = true;
    checks.database = messageOf(e);
    missing.push("database");
  }
  try {
    const { taskQueue, count } = await recentPollers();
    checks.temporal = "ok";
    if (count) checks.worker = "ok";
    else {
      checks.worker = `no worker is polling task queue '${taskQueue}'`;
      missing.push("worker");
    }
  } catch (e) {
    checks.temporal = messageOf(e);
    missing.push("temporal");
  }
  return missing.length ? { status: "unavailable" as const, missing: [...new Set(missing)], checks } : { status: "ok" as const, checks };
}
