import { sql } from "drizzle-orm";
import { db } from "~/db/client";
import { messageOf } from "~/lib/errors";
import { recentPollers } from "~/workflows/temporal/client";

/** Ready means: Postgres answers, Temporal answers, and a worker polled the task queue recently. */
export async function checkHealth() {
  const missing: string[] = [];
  const checks: Record<string, string> = {};
  try {
    await db().execute(sql`select 1`);
    checks.database = "ok";
  } catch (e) {
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
  return missing.length ? { status: "unavailable" as const, missing, checks } : { status: "ok" as const, checks };
}
