/**
 * Worker entry (`npm run worker`): executes pipeline runs. Run as many as you like against
 * a shared Postgres, Temporal and artifact store.
 */
import os from "node:os";
import { fileURLToPath } from "node:url";
import { DefaultLogger, NativeConnection, Runtime, Worker } from "@temporalio/worker";
import { closeDb, db } from "~/db/client";
import { applyMigrations } from "~/db/migrate";
import { env } from "~/lib/env";
import { messageOf } from "~/lib/errors";
import { artifactStore } from "~/workflows/artifacts";
import { collectGarbage } from "~/workflows/artifacts/gc";
import { loadAllExecutors } from "~/workflows/nodes/executors";
import { createBatchActivities } from "~/workflows/batch/activities";
import { createScheduleActivities } from "~/workflows/runs/schedule-activities";
import { createWebhookActivities } from "~/workflows/monitoring/webhook";
import { createRetrainActivities } from "~/workflows/monitoring/retrain";
import { createActivities } from "./activities";
import { taskQueueOf } from "./shared";
import { closeTemporalClient } from "./client";
import { heartbeatWhileRunning } from "./liveness";
import { activityMetrics, serveWorkerMetrics } from "./worker-metrics";

export const workflowsPath = fileURLToPath(new URL("./workflows.ts", import.meta.url));

export async function createWorker(opts: { identity?: string } = {}) {
  const e = env();
  // Set here rather than left to the SDK: the activities tell themselves apart from the other
  // workers polling the queue by it.
  const identity = opts.identity ?? `${process.pid}@${os.hostname()}`;
  const connection = await NativeConnection.connect({ address: e.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: taskQueueOf(e),
    identity,
    workflowsPath,
    activities: {
      ...createActivities({ db: db(), artifacts: artifactStore(), identity }),
      ...createBatchActivities({ db: db(), artifacts: artifactStore() }),
      ...createScheduleActivities({ db: db() }),
      ...createWebhookActivities({ db: db() }),
      ...createRetrainActivities({ db: db(), artifacts: artifactStore() }),
    },
    maxConcurrentActivityTaskExecutions: 4,
    interceptors: { activity: [activityMetrics, heartbeatWhileRunning] },
  });
  return { worker, connection };
}

async function main() {
  const e = env();
  Runtime.install({ logger: new DefaultLogger(e.WORKER_LOG_LEVEL) });
  await applyMigrations(e.databaseUrl);
  await loadAllExecutors();
  const { worker, connection } = await createWorker();
  // Started by `npm start`: if the launcher dies without stopping us (SIGKILL), stop too.
  const launcher = e.MILLRACE_LAUNCHER_PID;
  if (launcher) {
    setInterval(() => {
      if (process.ppid !== launcher) worker.shutdown();
    }, 2000).unref();
  }
  console.log(`[worker] polling task queue '${taskQueueOf(e)}' at ${e.temporalAddress}`);
  serveWorkerMetrics();
  if (e.ARTIFACT_GC_INTERVAL_MS > 0) {
    const collect = () =>
      void collectGarbage(db(), artifactStore(), { cacheTtlDays: e.CACHE_TTL_DAYS, batchRetentionDays: e.BATCH_RETENTION_DAYS })
        .then((r) => {
          if (r.cacheEntriesForgotten || r.batchJobsExpired || r.groupsRemoved.length) console.log(`[worker] garbage: ${r.cacheEntriesForgotten} cache entries forgotten, ${r.batchJobsExpired} batch jobs expired, ${r.groupsRemoved.length} artifact groups removed (${(r.bytesFreed / 1e6).toFixed(1)} MB)`);
        })
        .catch((err: unknown) => console.error("[worker] garbage collection failed:", messageOf(err)));
    setTimeout(collect, Math.min(60_000, e.ARTIFACT_GC_INTERVAL_MS)).unref();
    setInterval(collect, e.ARTIFACT_GC_INTERVAL_MS).unref();
  }
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (installed by the Runtime).
  await worker.run();
  await connection.close();
  // The client some activities open (to ask how many workers poll): closed too, or it keeps the process alive.
  await closeTemporalClient();
  await closeDb();
  console.log("[worker] stopped");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error("[worker] fatal:", err);
    process.exit(1);
  });
}
