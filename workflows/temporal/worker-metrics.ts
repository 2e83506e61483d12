/**
 * The worker's own /metrics (WORKER_METRICS_PORT): activities started, finished and failed by
 * type, how long they ran, how long each attempt waited in the task queue before a worker took it
 * (schedule-to-start), how many run now, and the process's own metrics. A worker runs alone on
 * other machines: Prometheus scrapes each one.
 */
import http from "node:http";
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from "@temporalio/worker";
import client from "prom-client";
import { env } from "~/lib/env";

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: "millrace_worker_" });
const finished = new client.Counter({
  name: "millrace_worker_activities_total",
  help: "Activity attempts this worker finished, by activity type and outcome (ok, failed).",
  labelNames: ["activity", "outcome"] as const,
  registers: [registry],
});
const duration = new client.Histogram({
  name: "millrace_worker_activity_duration_seconds",
  help: "How long activity attempts ran on this worker, by activity type.",
  labelNames: ["activity"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  registers: [registry],
});
const queueWait = new client.Histogram({
  name: "millrace_worker_activity_queue_wait_seconds",
  help: "How long each activity attempt waited in the task queue before this worker started it (schedule-to-start), by activity type.",
  labelNames: ["activity"] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});
const running = new client.Gauge({ name: "millrace_worker_activities_running", help: "Activity attempts running on this worker now.", registers: [registry] });

/** Counts every activity attempt this worker runs. */
export const activityMetrics: ActivityInterceptorsFactory = (ctx) => {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input, next) {
      const { activityType: activity, currentAttemptScheduledTimestampMs: scheduled } = ctx.info;
      queueWait.observe({ activity }, Math.max(0, Date.now() - scheduled) / 1000);
      running.inc();
      const end = duration.startTimer({ activity });
      try {
        const out = await next(input);
        finished.inc({ activity, outcome: "ok" });
        return out;
      } catch (e) {
        finished.inc({ activity, outcome: "failed" });
        throw e;
      } finally {
        end();
        running.dec();
      }
    },
  };
  return { inbound };
};

/** Serves /metrics on WORKER_METRICS_PORT (0: off). A port in use is reported, not fatal: the worker still works. */
export function serveWorkerMetrics(): http.Server | null {
  const e = env();
  if (!e.WORKER_METRICS_PORT) return null;
  const server = http.createServer((req, res) => {
    if (req.url !== "/metrics" || req.method !== "GET") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "only GET /metrics here" }));
      return;
    }
    if (e.METRICS_TOKEN && req.headers.authorization !== `Bearer ${e.METRICS_TOKEN}`) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="millrace"' }).end(JSON.stringify({ error: "send Authorization: Bearer <METRICS_TOKEN>" }));
      return;
    }
    void registry.metrics().then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text));
  });
  server.on("error", (err) => console.error(`[worker] /metrics not served on port ${e.WORKER_METRICS_PORT}: ${err.message}`));
  server.listen(e.WORKER_METRICS_PORT, e.HOST, () => console.log(`[worker] /metrics on http://${e.HOST}:${e.WORKER_METRICS_PORT}/metrics`));
  server.unref();
  return server;
}
