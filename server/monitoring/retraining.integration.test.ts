/**
 * The loop, end to end on real Temporal, Postgres and HTTP: an endpoint whose monitor retrains on
 * alarms gets drifted traffic; the drift gauge crosses the bound, an alarm opens, its webhook is
 * sent, a retraining run trains a challenger on the newest upload of the dataset, the gate scores
 * challenger and champion on the same holdout, the challenger shadows live traffic, then is
 * promoted (its worker SIGKILLed mid-shadow and another taking over) — and, with a margin no
 * challenger can meet, the gate refuses and the champion stays.
 * Every decision is recorded with its evidence.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, endpoints, modelVersions, retrainings, runs } from "~/db/schema";
import type { PipelineDocument } from "~/lib/pipeline/document";
import { demoCsv, demoPipeline } from "~/lib/templates/demo";
import type { Child } from "~/server/launcher/children";
import { freePorts, spawnWorker } from "~/server/testing/services";
import { startWebhookSink } from "~/server/testing/webhook-sink";
import { artifactStore } from "~/workflows/artifacts";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { importCsv } from "../datasets/service";
import { metrics } from "../metrics/registry";
import { createPipeline, savePipelineVersion } from "../pipelines/repository";
import { getRun, startRun } from "../runs/service";
import { startServing } from "../serving/testing";
import { modelVersionsOf } from "../models/service";
import { evaluateAlarms } from "./alarms";
import { endpointMonitoring } from "./service";

const services = inject("services");
let worker: Child;
let workerMetricsPort: number | undefined;
let serving: Awaited<ReturnType<typeof startServing>>;
let hook: Awaited<ReturnType<typeof startWebhookSink>>;
const slug = `retrain-${Date.now().toString(36)}`;
const name = `fresh-${Date.now().toString(36)}`;

beforeAll(async () => {
  hook = await startWebhookSink();
  [workerMetricsPort] = await freePorts(1);
  worker = spawnWorker(services, "retrain-worker", { PRIVATE_SOURCE_HOSTS: "127.0.0.1", RETRAIN_POLL_SECONDS: "1", WORKER_METRICS_PORT: String(workerMetricsPort) });
  serving = await startServing(db(), artifactStore());
}, 60_000);

afterAll(async () => {
  await serving?.close();
  await worker?.stop();
  hook?.close();
  await closeTemporalClient();
  await closeDb();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The demo pipeline reading the dataset parameter `data`, deploying to `slug`, its monitor retraining on alarms. */
function pipeline(datasetId: string, gateMargin: number): PipelineDocument {
  const doc = demoPipeline(datasetId);
  doc.name = `retrain ${slug}`;
  doc.parameters = [{ name: "data", type: "dataset", default: datasetId }];
  doc.nodes.find((n) => n.id === "ingest")!.config = { datasetId: { $param: "data" } };
  doc.nodes.find((n) => n.type === "random-forest")!.config = { task: "classification", target: "target", nEstimators: 30, seed: 3 };
  doc.nodes.find((n) => n.type === "deploy-endpoint")!.config = { slug, access: "public" };
  doc.nodes.find((n) => n.type === "monitor-endpoint")!.config = {
    windowMinutes: 60,
    minRows: 200,
    onAlarm: "retrain",
    gateMargin,
    shadowRequests: 100,
    shadowMinutes: 30,
    webhookUrl: hook.url,
  };
  return doc;
}

/** Rows like the demo's training data; `drift` moves feature_4 far outside what training saw. */
function traffic(n: number, seed: number, drift = 0) {
  const [header, ...lines] = demoCsv(n, seed).trim().split("\n");
  const names = header!.split(",").filter((c) => c !== "target");
  return lines.map((l) => {
    const r = Object.fromEntries(l.split(",").slice(0, names.length).map((v, i) => [names[i], v === "" ? null : Number(v)]));
    return { ...r, feature_4: (r.feature_4 as number) + drift };
  });
}

const send = async (rows: Record<string, unknown>[]) => {
  for (let i = 0; i < rows.length; i += 100) expect((await serving.call(`/api/v1/endpoints/${slug}/predict`, { instances: rows.slice(i, i + 100) })).status).toBe(200);
};

describe("retraining loop", () => {
  it("alarm → webhook → retraining run → gate → shadow (worker killed) → promotion; then a gate that refuses", async () => {
    // The champion: trained on 80 rows. Fresh data later: 3,000 rows of the same process.
    const v1 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(80, 1)));
    const { id: pipelineId } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, pipeline(v1.id, 0.02));
    const first = await until("the first run", async () => {
      const r = await getRun(db(), (await startRun(db(), pipelineId)).runId);
      return r;
    });
    const done = await until("the champion's run", async () => {
      const r = await getRun(db(), first.id);
      return r.status === "succeeded" || r.status === "failed" ? r : undefined;
    });
    expect(done.status).toBe("succeeded");
    const [endpoint] = await db().select().from(endpoints).where(eq(endpoints.slug, slug));
    const champion = endpoint!.modelVersionId;
    await serving.waitFor(slug, (s) => s.monitored && s.primary.modelVersionId === champion);
    const v2 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(3000, 2)));

    // Drifted traffic: feature_4 is far above anything training saw.
    await send(traffic(400, 9, 30));
    await serving.runtime.flushWindows();
    const judged = await evaluateAlarms(db(), artifactStore());
    expect(judged.opened.length).toBeGreaterThanOrEqual(1);
    const gauge = (await metrics().driftPsi.get()).values.find((v) => v.labels.endpoint === slug && v.labels.feature === "feature_4")!;
    expect(gauge.value).toBeGreaterThan(0.25);

    // The loop: a retraining run on the newest upload of the dataset, then the gate.
    const gated = await until("the gate", async () => {
      const [r] = await db().select().from(retrainings).where(eq(retrainings.endpointId, endpoint!.id));
      return r && r.status !== "retraining" && r.status !== "gating" ? r : undefined;
    });
    expect(gated.status).toBe("shadowing");
    const [retrainRun] = await db().select().from(runs).where(eq(runs.id, gated.runId!));
    expect(retrainRun).toMatchObject({ purpose: "retrain", status: "succeeded", parameters: { data: v2.id } });
    const gate = gated.decisions.find((d) => d.step === "gate")!;
    expect(gate.evidence).toMatchObject({ metric: "accuracy", margin: 0.02 });
    expect((gate.evidence!.challenger as number) - (gate.evidence!.champion as number)).toBeGreaterThanOrEqual(0.02);
    // Shadowing: the champion still answers; the challenger sees every request.
    const shadowed = await serving.waitFor(slug, (s) => s.shadows.length === 1);
    expect(shadowed.primary.modelVersionId).toBe(champion);
    expect(shadowed.shadows[0]!.modelVersionId).toBe(gated.challengerVersionId);

    // The worker dies mid-loop (SIGKILL); another takes over: the loop's timers and steps are Temporal's.
    worker.proc.kill("SIGKILL");
    await worker.exited;
    [workerMetricsPort] = await freePorts(1);
    worker = spawnWorker(services, "retrain-worker-2", { PRIVATE_SOURCE_HOSTS: "127.0.0.1", RETRAIN_POLL_SECONDS: "1", WORKER_METRICS_PORT: String(workerMetricsPort) });

    // The shadow period: 100 requests (one row each here).
    for (const row of traffic(120, 11)) expect((await serving.call(`/api/v1/endpoints/${slug}/predict`, row)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    await serving.runtime.flushWindows();
    const promoted = await until("the verdict", async () => {
      const [r] = await db().select().from(retrainings).where(eq(retrainings.id, gated.id));
      return r && (r.status === "promoted" || r.status === "kept") ? r : undefined;
    });
    expect(promoted.status).toBe("promoted");
    expect(promoted.decisions.map((d) => d.step)).toEqual(["alarm", "retrain", "gate", "promote"]);
    expect(promoted.decisions.at(-1)!.evidence).toMatchObject({ shadowRequests: 120, shadowFailed: 0, liveFailed: 0 });
    // Counted by the minute: the live side may include the drifted requests of the gate's minute.
    expect(promoted.decisions.at(-1)!.evidence!.liveRequests).toBeGreaterThanOrEqual(120);
    const [after] = await db().select().from(endpoints).where(eq(endpoints.id, endpoint!.id));
    expect(after!.modelVersionId).toBe(gated.challengerVersionId);
    expect(after!.traffic).toBeNull();
    await until("the webhooks", async () => hook.received.some((r) => r.event === "model.promoted") && hook.received.some((r) => r.event === "drift.alarm.opened"), 30_000);
    expect(hook.received.find((r) => r.event === "model.promoted")!.json).toMatchObject({ endpoint: slug, retraining: { id: gated.id, status: "promoted" } });

    // A second alarm, with a margin no challenger can meet: the gate refuses, the new champion stays.
    await savePipelineVersion(db(), pipelineId, pipeline(v1.id, 0.5));
    const newChampion = after!.modelVersionId;
    await serving.waitFor(slug, (s) => s.primary.modelVersionId === newChampion && s.shadows.length === 0);
    await send(traffic(400, 13, 30));
    await serving.runtime.flushWindows();
    expect((await evaluateAlarms(db(), artifactStore())).opened.length).toBeGreaterThanOrEqual(1);
    const refused = await until("the second verdict", async () => {
      const rows = await db().select().from(retrainings).where(eq(retrainings.endpointId, endpoint!.id));
      return rows.find((r) => r.id !== gated.id && (r.status === "kept" || r.status === "failed"));
    });
    expect(refused.status).toBe("kept");
    expect(refused.decisions.at(-1)).toMatchObject({ step: "gate", evidence: { margin: 0.5 } });
    expect(refused.decisions.at(-1)!.text).toMatch(/does not beat the champion by 0.5 — the champion stays/);
    const [still] = await db().select().from(endpoints).where(eq(endpoints.id, endpoint!.id));
    expect(still!.modelVersionId).toBe(newChampion);
    expect(still!.traffic).toBeNull();
    await until("the kept webhook", async () => hook.received.some((r) => r.event === "model.kept"), 30_000);
    const versions = await db().select().from(modelVersions).where(eq(modelVersions.id, refused.challengerVersionId!));
    expect(versions).toHaveLength(1);

    // The second worker's own /metrics counted what it ran: the first loop's verdict, the whole second loop.
    const workerMetrics = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
    expect(workerMetrics).toMatch(/^millrace_worker_activities_total\{activity="gateChallenger",outcome="ok"\} 1$/m);
    expect(workerMetrics).toMatch(/^millrace_worker_activities_total\{activity="concludeRetraining",outcome="ok"\} 1$/m);
    expect(workerMetrics).toMatch(/^millrace_worker_activity_queue_wait_seconds_count\{activity="executeNode"\} \d+$/m);

    // Visible where people look: the endpoint's monitoring page, the retraining run's page, the model's page.
    const page = await endpointMonitoring(db(), artifactStore(), DEFAULT_WORKSPACE_ID, slug, { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) });
    expect(page.retrainings.map((r) => r.status)).toEqual(["kept", "promoted"]);
    expect((await getRun(db(), gated.runId!)).retraining).toEqual({ slug, status: "promoted" });
    const model = await modelVersionsOf(db(), DEFAULT_WORKSPACE_ID, versions[0]!.name);
    expect(model.versions.find((v) => v.id === gated.challengerVersionId)!.retraining).toEqual([{ slug, status: "promoted", decision: expect.stringMatching(/promoted v\d+$/) }]);
    expect(model.versions.find((v) => v.id === refused.challengerVersionId)!.retraining[0]).toMatchObject({ status: "kept", decision: expect.stringMatching(/does not beat the champion/) });
  }, 300_000);
});
