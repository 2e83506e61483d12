/** The web side's connection to Temporal: one client per process, and the task queue's pollers. */
import { Client, Connection } from "@temporalio/client";
// The package is CommonJS whose exports Node's ESM loader cannot list: imported whole, so the web
// server's entry (plain Node ESM) can load this module as well as Next's bundles can.
import protoPackage from "@temporalio/proto";
import { UnavailableError, messageOf } from "~/lib/errors";
import { env } from "~/lib/env";
import { taskQueueOf } from "./shared";

const g = globalThis as unknown as { __millraceTemporal?: Promise<Client> };

/** One Temporal client per process (kept on globalThis for Next's module reloading). */
export function temporalClient(): Promise<Client> {
  g.__millraceTemporal ??= (async () => {
    const e = env();
    try {
      const connection = await Connection.connect({ address: e.temporalAddress, connectTimeout: 3000 });
      return new Client({ connection, namespace: e.TEMPORAL_NAMESPACE });
    } catch (err) {
      throw new UnavailableError(`Temporal at ${e.temporalAddress} is unavailable: ${messageOf(err)}`);
    }
  })().catch((err: unknown) => {
    g.__millraceTemporal = undefined;
    throw err;
  });
  return g.__millraceTemporal;
}

/** Closes this process's client; the next call connects again (to the address configured then). */
export async function closeTemporalClient(): Promise<void> {
  const current = g.__millraceTemporal;
  g.__millraceTemporal = undefined;
  const client = await current?.catch(() => undefined);
  await client?.connection.close();
}

/** Workers that polled the pipeline task queue (for workflow tasks, or for activities) within the last `withinSeconds`. */
export async function recentPollers(withinSeconds = 90, kind: "workflow" | "activity" = "workflow", taskQueue = taskQueueOf(env())): Promise<{ taskQueue: string; count: number; identities: string[] }> {
  const client = await temporalClient();
  const e = env();
  // A health check answers within seconds: a Temporal that does not answer in 2 s is down to it.
  const res = await client.withDeadline(Date.now() + 2000, () =>
    client.workflowService.describeTaskQueue({
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: { name: taskQueue },
      taskQueueType:
        kind === "workflow" ? protoPackage.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : protoPackage.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    }),
  );
  // A live worker long-polls continuously; Temporal keeps a dead one listed for a while. One
  // entry per worker identity (process).
  const live = (res.pollers ?? []).filter((p) => Date.now() / 1000 - Number(p.lastAccessTime?.seconds ?? 0) < withinSeconds);
  const identities = [...new Set(live.map((p) => p.identity ?? ""))];
  return { taskQueue, count: identities.length, identities };
}
