/**
 * Monitoring benchmark (`npm run bench:monitoring`), three measurements in one table:
 *
 * 1. Serving throughput with monitoring on and off: one standalone serving process (`npm run
 *    serve`) serves the same 100-tree forest as two public endpoints, one monitored (every feature
 *    and prediction counted on the reference bins) and one not; autocannon on loopback alternates
 *    between them (on, off, on, off) and the medians are compared. Target: at most 10% lower.
 * 2. Drift for 10 million logged requests from the incremental state: a day of per-minute counts
 *    (1,440 rows, 50 features) summed and judged against a 50-feature profile. Target: under 1 s.
 * 3. A live window of 1 million requests for 50 features: heap held by the window, and time per
 *    row. Target: under 50 MB.
 * 4. Feedback joined to a 2-million-row prediction log, with time-ordered request ids and with
 *    random ones.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { eq, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, endpoints, modelVersions, monitorCounts } from "~/db/schema";
import { childEnv, setEnv } from "~/lib/env";
import type { WindowCounts } from "~/lib/monitoring";
import type { ModelRef } from "~/lib/pipeline/plan";
import { demoCsv } from "~/lib/templates/demo";
import { deployVersion } from "~/server/endpoints/service";
import { windowCounts } from "~/server/monitoring/counts";
import { defaultMonitorSettings } from "~/lib/monitoring";
import { driftReport } from "~/server/monitoring/service";
import { LiveWindow } from "~/server/monitoring/window";
import { recordFeedback } from "~/server/serving/feedback";
import { freePorts, serviceVars, startTestServices } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { buildProfile } from "~/workflows/model/profile";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { datasetFromCsv, runExecutor } from "~/workflows/nodes/testing";
import { printTable } from "./launcher";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const row = { feature_1: 0.4, feature_2: -1.1, feature_3: null, feature_4: 6.5 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

function waitFor(proc: ChildProcess, text: string): Promise<void> {
  let out = "";
  return new Promise((resolve, reject) => {
    const on = (b: Buffer) => {
      out += b.toString();
      if (out.includes(text)) resolve();
    };
    proc.stdout!.on("data", on);
    proc.stderr!.on("data", on);
    proc.once("exit", (code) => reject(new Error(`serving exited (${code}): ${out.slice(-800)}`)));
  });
}

/** A 50-feature profile (40 numeric, 10 categorical) and rows drawn like its training data. */
function syntheticProfile() {
  const n = 20_000;
  const features = Array.from({ length: 50 }, (_, f) =>
    f < 40
      ? { name: `x${f}`, kind: "numeric" as const, values: Array.from({ length: n }, (_, i) => Math.sin(i * (f + 1)) * 10 + f) }
      : { name: `c${f}`, kind: "categorical" as const, values: Array.from({ length: n }, (_, i) => `v${(i * (f + 3)) % 15}`) },
  );
  const profile = buildProfile(features, { task: "classification", values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "a" : "b")) });
  const rowAt = (i: number) => Object.fromEntries(features.map((f) => [f.name, f.values[i % n]]));
  return { profile, rowAt };
}

async function main() {
  const services = await startTestServices("bench-monitoring");
  setEnv(serviceVars(services));
  let serve: ChildProcess | undefined;
  const rows: string[][] = [];
  try {
    // 1. Throughput, monitored or not, through one serving process.
    const store = artifactStore() as FsArtifactStore;
    const data = await datasetFromCsv(store, "bench-monitoring/data.parquet", demoCsv(5000, 3), { target: "target" });
    const trained = await runExecutor(store, randomForest, { task: "classification", nEstimators: 100, seed: 1 }, { train: data }, { nodeId: "bench", runId: randomUUID() });
    const model = trained.outputs.model as ModelRef;
    const [mv] = await db()
      .insert(modelVersions)
      .values({ workspaceId: DEFAULT_WORKSPACE_ID, name: "bench-monitoring", version: 1, nodeId: "bench", artifactUri: model.uri, task: "classification", inputSchema: model.signature as never })
      .returning();
    const actor = { kind: "user" as const, userId: null as unknown as string, email: "bench@example.com", name: "Bench", isAdmin: false };
    for (const slug of ["bench-on", "bench-off"]) await deployVersion(db(), store, actor, DEFAULT_WORKSPACE_ID, slug, { modelVersionId: mv!.id });
    await db().update(endpoints).set({ access: "public", logSample: 0 }).where(eq(endpoints.workspaceId, DEFAULT_WORKSPACE_ID));
    await db().update(endpoints).set({ monitored: true }).where(eq(endpoints.slug, "bench-on"));
    const [port] = await freePorts(1);
    serve = spawn(process.execPath, ["--import", "tsx", "server/serving/main.ts"], { env: childEnv({ ...serviceVars(services), SERVE_PORT: String(port) }), stdio: ["ignore", "pipe", "pipe"] });
    await waitFor(serve, "[serve] listening");
    const body = JSON.stringify(row);
    const load = (slug: string, seconds = SECONDS) =>
      autocannon({ url: `http://127.0.0.1:${port}/api/v1/endpoints/${slug}/predict`, connections: 32, duration: seconds, method: "POST", headers: { "content-type": "application/json" }, body });
    await load("bench-on", 3);
    await load("bench-off", 3);
    const on: number[] = [];
    const off: number[] = [];
    let failed = 0;
    for (let i = 0; i < 2; i++) {
      for (const [slug, into] of [["bench-on", on], ["bench-off", off]] as const) {
        const r = await load(slug);
        into.push(r.requests.average);
        failed += r.non2xx + r.errors + r.timeouts;
      }
    }
    const counted = await windowCounts(db(), (await db().select().from(endpoints).where(eq(endpoints.slug, "bench-on")))[0]!.id, mv!.id, "live", { minutes: 60 });
    rows.push(["serving, monitoring off (median of 2)", `${median(off).toFixed(0)} req/s`, "", `${failed} failed`]);
    rows.push([
      "serving, monitoring on (median of 2)",
      `${median(on).toFixed(0)} req/s`,
      `${(((median(off) - median(on)) / median(off)) * 100).toFixed(1)}% lower (target ≤ 10%)`,
      `${counted.rows.toLocaleString("en")} rows counted`,
    ]);

    // 2. Drift for 10 million requests: a day of per-minute rows, summed and judged.
    const { profile, rowAt } = syntheticProfile();
    const [onEndpoint] = await db().select().from(endpoints).where(eq(endpoints.slug, "bench-on"));
    const fakeVersion = randomUUID();
    const perMinute = Math.round(10_000_000 / 1440);
    const now = new Date();
    const minuteRows = Array.from({ length: 1440 }, (_, m) => {
      const counts: WindowCounts = {
        requests: perMinute,
        failed: 0,
        latency: Array.from({ length: 35 }, (_, i) => (i === 10 ? perMinute : 0)),
        rows: perMinute,
        features: Object.fromEntries(profile.features.map((f) => [f.name, f.counts.map((c) => Math.round((c / profile.rows) * perMinute * (1 + ((m % 7) - 3) / 50)))])),
        prediction: profile.prediction.counts.map((c) => Math.round((c / profile.rows) * perMinute)),
      };
      return { endpointId: onEndpoint!.id, modelVersionId: fakeVersion, role: "live" as const, minute: new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m * 60_000), counts };
    });
    for (let i = 0; i < minuteRows.length; i += 200) await db().insert(monitorCounts).values(minuteRows.slice(i, i + 200));
    const times: number[] = [];
    let judged = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const counts = await windowCounts(db(), onEndpoint!.id, fakeVersion, "live", { minutes: 1440 }, now);
      const report = driftReport(profile, counts, defaultMonitorSettings());
      times.push(performance.now() - t0);
      judged = report.rows;
    }
    rows.push(["drift of 50 features + predictions over a day (1,440 minute rows)", `${median(times).toFixed(0)} ms`, "target < 1,000 ms", `${judged.toLocaleString("en")} requests`]);

    // 3. A live window: 1 million rows of 50 features.
    const gc = (globalThis as { gc?: () => void }).gc;
    const batch = Array.from({ length: 1000 }, (_, i) => rowAt(i));
    const predictions = batch.map((_, i) => (i % 3 === 0 ? "a" : "b"));
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const window = new LiveWindow(profile);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) window.observe(batch, predictions);
    const ms = performance.now() - t0;
    gc?.();
    const held = process.memoryUsage().heapUsed - before;
    rows.push([
      "live window, 1,000,000 rows × 50 features",
      `${((ms * 1e6) / 1_000_000).toFixed(0)} ns/row`,
      `${gc ? `${mb(Math.max(0, held))} MB held` : "run with --expose-gc for memory"} (target < 50 MB)`,
      `${window.pending.toLocaleString("en")} rows counted`,
    ]);
    void window.take();

    // 4. Feedback against a large prediction log: 2 million rows over two days, 20 labels for
    //    predictions of one minute. Request ids carry their time (UUIDv7), so the join reads that
    //    time's blocks; ids without a time (random UUIDs, as before) make it read the whole log.
    const logRows = 2_000_000;
    const start = Date.now() - 2 * 86_400_000;
    // In batches of 1,000, as the serving runtime writes them.
    await db().execute(sql`insert into prediction_log_batches (endpoint_id, model_version_id, shadow, first_at, last_at, request_ids, idxs, inputs, predictions, latencies_ms, created_ats)
      select ${onEndpoint!.id}::uuid, ${fakeVersion}::uuid, false, min(t), max(t), array_agg(id order by g), array_agg(0), array_agg('{}'::text), array_agg('"a"'::text), array_agg(1::float8), array_agg(t order by g)
        from (select g, gen_random_uuid() as id, to_timestamp(${start / 1000}::float8 + g * ${(2 * 86_400) / logRows}::float8) as t from generate_series(1, ${logRows}) g) s
       group by (g - 1) / 1000`);
    const labelled = async (ids: string[]) => {
      for (const [i, id] of ids.entries()) await db().execute(sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, input, prediction, latency_ms, created_at) values (${id}::uuid, 0, ${onEndpoint!.id}::uuid, ${fakeVersion}::uuid, '{}', '"a"', 1, ${new Date(start + 86_400_000 + i * 1000).toISOString()}::timestamptz)`);
      // Block ranges are summarized as they fill (the index's autosummarize, by autovacuum within
      // a minute or so); here at once, as a log written over two days would be.
      await db().execute(sql`select brin_summarize_new_values('prediction_log_batches_time_brin')`);
      await db().execute(sql`analyze prediction_log_batches`);
      const times: number[] = [];
      let matched = 0;
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        matched = (await recordFeedback(db(), onEndpoint!.id, ids.map((requestId) => ({ requestId, index: 0, label: "a" })))).matched;
        times.push(performance.now() - t0);
      }
      return { ms: median(times), matched };
    };
    const timed = await labelled(Array.from({ length: 20 }, (_, i) => uuidv7({ msecs: start + 86_400_000 + i * 1000 })));
    const untimed = await labelled(Array.from({ length: 20 }, () => randomUUID()));
    rows.push(["feedback: 20 labels joined to a 2,000,000-row log (time-ordered request ids)", `${timed.ms.toFixed(1)} ms`, `random ids (the whole log read): ${untimed.ms.toFixed(1)} ms`, `${timed.matched} + ${untimed.matched} matched`]);
    await db().execute(sql`delete from prediction_log_batches where endpoint_id = ${onEndpoint!.id}::uuid and model_version_id = ${fakeVersion}::uuid`);

    printTable(["measurement", "result", "against the target", "note"], rows);
  } finally {
    serve?.kill("SIGTERM");
    await closeDb();
    await services.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
