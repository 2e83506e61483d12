import { sql } from "drizzle-orm";
import { temporal as proto } from "@temporalio/proto";
import { db } from "../db/client";
import { env } from "./env";
import { temporalClient } from "./temporal/client";

/** Ready means: Postgres answers, Temporal answers, and a worker polled the task queue recently. */
export async function checkHealth() {
  const missing: string[] = [];
  const checks: Record<string, "ok" | string> = {};
  try {
    await db().execute(sql`select 1`);
    checks.database = "ok";
  } catch (e) {
    checks.database = String(e);
    missing.push("database");
  }
  try {
    const client = await temporalClient();
    const e = env();
    const res = await client.workflowService.describeTaskQueue({
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: { name: e.TEMPORAL_TASK_QUEUE },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    checks.temporal = "ok";
    // A live worker long-polls continuously; Temporal keeps a dead one listed for a while.
    const recent = (res.pollers ?? []).filter((p) => {
      const secs = Number(p.lastAccessTime?.seconds ?? 0);
      return Date.now() / 1000 - secs < 90;
    });
    if (recent.length) checks.worker = "ok";
    else {
      checks.worker = `no worker is polling task queue '${e.TEMPORAL_TASK_QUEUE}'`;
      missing.push("worker");
    }
  } catch (e) {
    checks.temporal = String(e);
    missing.push("temporal");
  }
  return missing.length ? { status: "unavailable" as const, missing, checks } : { status: "ok" as const, checks };
}
