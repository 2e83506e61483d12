/**
 * Prometheus metrics. Endpoint metrics are recorded where requests are served; pipeline
 * metrics are collected from Postgres at scrape time, so they cover every worker and
 * survive restarts.
 */
import client from "prom-client";
import { sql } from "drizzle-orm";
import { db } from "~/db/client";
import { HotCounter, HotHistogram } from "./hot";

const NODE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

function create() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "millrace_web_" });

  const requests = new HotCounter({
    name: "millrace_endpoint_requests_total",
    help: "Prediction requests by endpoint and HTTP status.",
    labelNames: ["endpoint", "status"] as const,
    registers: [registry],
  });
  const latency = new HotHistogram({
    name: "millrace_endpoint_request_duration_seconds",
    help: "Prediction request latency by endpoint.",
    labelNames: ["endpoint"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const predictions = new HotCounter({
    name: "millrace_endpoint_predictions_total",
    help: "Predictions served, by endpoint, model version and predicted class (classifiers; monitored endpoints).",
    labelNames: ["endpoint", "model_version", "class"] as const,
    registers: [registry],
  });
  const predictedValue = new HotHistogram({
    name: "millrace_endpoint_prediction_value",
    help: "Predicted values of regressors (monitored endpoints).",
    labelNames: ["endpoint", "model_version"] as const,
    buckets: client.exponentialBuckets(0.01, 4, 10),
    registers: [registry],
  });

  const requestBytes = new HotHistogram({
    name: "millrace_endpoint_request_bytes",
    help: "Size of prediction and feedback request bodies, across endpoints (bytes).",
    buckets: [128, 512, 2048, 8192, 32_768, 131_072, 524_288, 2_097_152, 8_388_608],
    registers: [registry],
  });
  const logWritten = new client.Counter({
    name: "millrace_prediction_log_written_total",
    help: "Prediction log rows written to Postgres.",
    registers: [registry],
  });
  const logDropped = new client.Counter({
    name: "millrace_prediction_log_dropped_total",
    help: "Prediction log rows dropped because the queue was full or the write failed.",
    registers: [registry],
  });
  const variantRequests = new HotCounter({
    name: "millrace_endpoint_variant_requests_total",
    help: "Requests answered (or, for shadows, mirrored) per endpoint, model version and role in the traffic split.",
    labelNames: ["endpoint", "model_version", "role", "outcome"] as const,
    registers: [registry],
  });
  const variantLatency = new HotHistogram({
    name: "millrace_endpoint_variant_duration_seconds",
    help: "Scoring time per endpoint, model version and role (live or shadow), without the HTTP exchange.",
    labelNames: ["endpoint", "model_version", "role"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });

  const driftPsi = new client.Gauge({
    name: "millrace_drift_psi",
    help: "Population stability index of each feature (and `prediction`) over the monitor's window against the training data, per endpoint and model version.",
    labelNames: ["endpoint", "model_version", "feature"] as const,
    registers: [registry],
  });
  const driftJs = new client.Gauge({
    name: "millrace_drift_js_distance",
    help: "Jensen–Shannon distance (natural log) of each feature (and `prediction`) over the monitor's window against the training data.",
    labelNames: ["endpoint", "model_version", "feature"] as const,
    registers: [registry],
  });
  const windowRows = new client.Gauge({
    name: "millrace_monitor_window_rows",
    help: "Rows scored in the monitor's current window, per endpoint and model version (drift is judged from minRows on).",
    labelNames: ["endpoint", "model_version"] as const,
    registers: [registry],
  });
  const liveAccuracy = new client.Gauge({
    name: "millrace_live_accuracy",
    help: "Accuracy from feedback over the last 24 hours, per monitored endpoint, model version and role (classifiers).",
    labelNames: ["endpoint", "model_version", "role"] as const,
    registers: [registry],
  });
  const liveRmse = new client.Gauge({
    name: "millrace_live_rmse",
    help: "RMSE from feedback over the last 24 hours, per monitored endpoint, model version and role (regressors).",
    labelNames: ["endpoint", "model_version", "role"] as const,
    registers: [registry],
  });
  const liveLabelled = new client.Gauge({
    name: "millrace_live_labelled",
    help: "Predictions with feedback over the last 24 hours (the sample behind live accuracy), per monitored endpoint, model version and role.",
    labelNames: ["endpoint", "model_version", "role"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "millrace_monitor_alarms_open",
    help: "Open drift alarms per endpoint (from the alarm store).",
    labelNames: ["endpoint"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db().execute<{ slug: string; n: string }>(
        sql`select e.slug, count(a.id)::text as n from endpoint e left join monitor_alarm a on a.endpoint_id = e.id and a.resolved_at is null where e.monitored group by e.slug`,
      );
      for (const r of rows) this.set({ endpoint: r.slug }, Number(r.n));
    },
  });

  new client.Gauge({
    name: "millrace_pipeline_runs",
    help: "Pipeline runs by status (from the run store).",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db().execute<{ status: string; n: string }>(sql`select status, count(*)::text as n from run group by status`);
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });

  // A histogram assembled from stored node timings, so it covers every worker. prom-client
  // has no histogram with an async collect(), so this implements its metric interface.
  const nodeHelp = "Wall-clock duration of succeeded pipeline nodes by node type (from the run store).";
  registry.registerMetric({
    name: "millrace_node_duration_seconds",
    help: nodeHelp,
    type: "histogram" as unknown as client.MetricType,
    aggregator: "sum",
    reset: () => {},
    get: async () => {
      const buckets = NODE_BUCKETS.map((b, i) => sql`count(*) filter (where d <= ${b}) as ${sql.raw(`b${i}`)}`);
      const rows = await db().execute<Record<string, string>>(sql`
        select type, count(*)::text as count, coalesce(sum(d), 0)::text as sum, ${sql.join(buckets, sql`, `)}
        from (select type, extract(epoch from finished_at - started_at)::float8 as d
              from run_node where status = 'succeeded' and finished_at is not null and started_at is not null) t
        group by type`);
      const values = rows.flatMap((r) => [
        ...NODE_BUCKETS.map((b, i) => ({
          metricName: "millrace_node_duration_seconds_bucket",
          labels: { type: r.type!, le: b },
          value: Number(r[`b${i}`]),
        })),
        { metricName: "millrace_node_duration_seconds_bucket", labels: { type: r.type!, le: "+Inf" }, value: Number(r.count) },
        { metricName: "millrace_node_duration_seconds_sum", labels: { type: r.type! }, value: Number(r.sum) },
        { metricName: "millrace_node_duration_seconds_count", labels: { type: r.type! }, value: Number(r.count) },
      ]);
      return { name: "millrace_node_duration_seconds", help: nodeHelp, type: "histogram" as unknown as client.MetricType, values, aggregator: "sum" };
    },
  } as unknown as client.Metric);

  return { registry, requests, latency, predictions, predictedValue, logWritten, logDropped, variantRequests, variantLatency, requestBytes, driftPsi, driftJs, windowRows, liveAccuracy, liveRmse, liveLabelled };
}

/**
 * A labelled child of a metric, kept: resolving labels hashes them on every call, which the
 * serving path (tens of thousands of requests a second) should not pay for. Bounded, since
 * only endpoints that exist get labels of their own.
 */
const children = new Map<string, unknown>();
export function child<T>(key: string, make: () => T): T {
  let c = children.get(key) as T | undefined;
  if (c === undefined) {
    c = make();
    if (children.size < 10_000) children.set(key, c);
  }
  return c;
}

const g = globalThis as unknown as { __millraceMetrics?: ReturnType<typeof create> };
/** Kept on globalThis: Next may load this module twice and must not register metrics twice. */
export function metrics() {
  g.__millraceMetrics ??= create();
  return g.__millraceMetrics;
}
