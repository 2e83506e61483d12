/**
 * Monitoring end to end on real HTTP, Postgres and Temporal: a model trained with its reference
 * profile, deployed and watched; traffic like the training data raises nothing; drifted traffic on
 * one feature moves its PSI past the bound and the predictions' Jensen–Shannon distance past its
 * own, opening one alarm each (however often it is judged), sets the drift gauge, and delivers
 * signed webhooks through a Temporal worker; the monitoring data holds
 * the traffic per minute and both histograms.
 */
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { endpoints, memberships, modelVersions, monitorAlarms, monitorCounts, workspaces } from "~/db/schema";
import type { ModelRef } from "~/lib/pipeline/plan";
import type { Child } from "~/server/launcher/children";
import { spawnWorker } from "~/server/testing/services";
import { startWebhookSink } from "~/server/testing/webhook-sink";
import { createUserWithPassword, setSecret } from "~/server/workspaces/service";
import { artifactStore } from "~/workflows/artifacts";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { parseModelFile, readModelMeta } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { datasetFromCsv, runExecutor } from "~/workflows/nodes/testing";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { deployVersion } from "../endpoints/service";
import { metrics } from "../metrics/registry";
import { startServing } from "../serving/testing";
import { evaluateAlarms } from "./alarms";
import { endpointMonitoring } from "./service";

const services = inject("services");
let worker: Child;
let serving: Awaited<ReturnType<typeof startServing>>;
let hook: Awaited<ReturnType<typeof startWebhookSink>>;
let wsId = "";
let key = "";
const SECRET = "whsec-test-value-0123456789";
const SLUG = "monitor-it";

/** x uniform on [0, 10), size a category; y = x > 5. */
const row = (i: number, shift = 0) => ({ x: ((i * 7919) % 1000) / 100 + shift, size: ["s", "m", "l"][i % 3]! });

beforeAll(async () => {
  hook = await startWebhookSink();
  worker = spawnWorker(services, "monitor-worker", { PRIVATE_SOURCE_HOSTS: "127.0.0.1" });

  const [ws] = await db().insert(workspaces).values({ name: "Monitoring" }).returning();
  wsId = ws!.id;
  const user = await createUserWithPassword(db(), { email: "monitor-owner@example.com", name: "Owner", password: "monitor-test-password" });
  await db().insert(memberships).values({ workspaceId: wsId, userId: user.id, role: "owner" });
  const owner = { kind: "user" as const, userId: user.id, email: user.email, name: "Owner", isAdmin: false };
  await setSecret(db(), owner, wsId, "hook-secret", SECRET);

  const store = artifactStore() as FsArtifactStore;
  const lines = ["x,size,y", ...Array.from({ length: 1000 }, (_, i) => row(i)).map((r) => `${r.x},${r.size},${r.x > 5 ? "yes" : "no"}`)];
  const data = await datasetFromCsv(store, "monitor-it/data.parquet", lines.join("\n"), { y: "target" });
  const res = await runExecutor(store, randomForest, { task: "classification", nEstimators: 10, seed: 1 }, { train: data }, { nodeId: "mon", runId: "00000000-0000-0000-0000-0000000000b1" });
  const model = res.outputs.model as ModelRef;
  const [mv] = await db()
    .insert(modelVersions)
    .values({ workspaceId: wsId, name: "monitor-it", version: 1, nodeId: "mon", artifactUri: model.uri, task: "classification", inputSchema: model.signature as never })
    .returning();
  await deployVersion(db(), artifactStore(), owner, wsId, SLUG, { modelVersionId: mv!.id });
  await db()
    .update(endpoints)
    .set({ access: "public", monitored: true, monitor: { windowMinutes: 60, minRows: 200, psiAlarm: 0.25, psiWarn: 0.1, jsAlarm: 0.1, webhookUrl: hook.url, webhookSecret: "hook-secret" } })
    .where(eq(endpoints.slug, SLUG));
  key = mv!.id;
  serving = await startServing(db(), artifactStore());
  await serving.waitFor(SLUG, (s) => s.monitored && s.access === "public");
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await worker?.stop();
  hook?.close();
  await closeTemporalClient();
  await closeDb();
});

const send = async (from: number, n: number, shift = 0) => {
  for (let i = from; i < from + n; i += 50) {
    const res = await serving.call(`/api/v1/endpoints/${SLUG}/predict`, { instances: Array.from({ length: 50 }, (_, k) => row(i + k, shift)) });
    expect(res.status).toBe(200);
  }
};

describe("monitoring", () => {
  it("keeps a reference profile in the model file: deciles of x, the sizes, the target", async () => {
    const [mv] = await db().select().from(modelVersions).where(eq(modelVersions.id, key));
    const profile = readModelMeta(await artifactStore().getBytes(mv!.artifactUri)).profile!;
    expect(profile.rows).toBe(1000);
    const x = profile.features.find((f) => f.name === "x")!;
    expect(x.kind === "numeric" && x.edges.length).toBe(9);
    expect(x.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    // Most frequent first (s: 334 rows; l, m: 333), then "other" and "missing".
    expect(profile.features.find((f) => f.name === "size")).toMatchObject({ kind: "categorical", categories: ["s", "l", "m"], counts: [334, 333, 333, 0, 0] });
    // The target: x > 5 for 499 of the values 0.00 … 9.99.
    // The predictions' reference is the model's own predictions on its training rows (yes/no was
    // read as a boolean column: its classes are false and true).
    const model = loadModel(parseModelFile(await artifactStore().getBytes(mv!.artifactUri)));
    const own = model.predict(Array.from({ length: 1000 }, (_, i) => row(i)));
    const falses = own.filter((p) => p === false).length;
    expect(profile.prediction).toMatchObject({ kind: "categorical", categories: ["false", "true"], counts: [falses, 1000 - falses, 0, 0] });
    expect(Math.abs(falses - 501)).toBeLessThan(10);
  });

  it("raises nothing on traffic like training, then an alarm each for x and the predictions, with signed webhooks, when x drifts", async () => {
    await send(0, 1000);
    await serving.runtime.flushWindows();
    const [counts] = await db().select().from(monitorCounts).where(eq(monitorCounts.modelVersionId, key));
    expect(counts!.counts).toMatchObject({ requests: 20, failed: 0, rows: 1000 });
    expect(counts!.counts.features.x!.reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(await evaluateAlarms(db(), artifactStore())).toEqual({ opened: [], resolved: [] });
    const calm = (await metrics().driftPsi.get()).values.find((v) => v.labels.endpoint === SLUG && v.labels.feature === "x")!;
    expect(calm.value).toBeLessThan(0.05);

    // Now x comes 4 higher: most rows land in the top bins. The window (60 min) holds both halves.
    await send(1000, 1000, 4);
    await serving.runtime.flushWindows();
    const first = await evaluateAlarms(db(), artifactStore());
    // x itself (PSI), and the predictions: 70% "yes" against 50% in training (JS distance 0.146 > 0.1, PSI 0.17 < 0.25).
    expect(first.opened).toHaveLength(2);
    // Judged again (another process, the next tick): still one open alarm each.
    expect((await evaluateAlarms(db(), artifactStore())).opened).toEqual([]);
    const alarms = await db().select().from(monitorAlarms).where(eq(monitorAlarms.endpointId, (await db().select().from(endpoints).where(eq(endpoints.slug, SLUG)))[0]!.id));
    expect(alarms.map((a) => a.subject).sort()).toEqual(["prediction", "x"]);
    const alarm = alarms.find((a) => a.subject === "x");
    const predictions = alarms.find((a) => a.subject === "prediction")!;
    expect(predictions.js).toBeCloseTo(0.146, 3);
    expect(predictions.psi).toBeLessThan(0.25);
    expect(alarm).toMatchObject({ subject: "x", resolvedAt: null });
    expect(alarm!.psi).toBeGreaterThan(0.25);
    expect(alarm!.evidence).toMatchObject({ psiAlarm: 0.25, window: "60 min", rows: 2000 });
    const gauge = (await metrics().driftPsi.get()).values.find((v) => v.labels.endpoint === SLUG && v.labels.feature === "x")!;
    expect(gauge.value).toBeCloseTo(alarm!.psi, 9);

    // The webhook, through a Temporal worker: the alarm as JSON, signed with the workspace secret.
    await expect.poll(() => hook.received.length, { timeout: 30_000 }).toBe(2);
    const { headers, body } = hook.received.find((r) => (r.json.alarm as { subject: string }).subject === "x")!;
    expect(headers["millrace-event"]).toBe("drift.alarm.opened");
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers["millrace-signature"]))!;
    expect(v1).toBe(createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex"));
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(120);
    expect(JSON.parse(body)).toMatchObject({ event: "drift.alarm.opened", endpoint: SLUG, model: { name: "monitor-it", version: 1 }, alarm: { id: alarm!.id, subject: "x", window: "60 min" } });
    await expect.poll(async () => (await db().select().from(monitorAlarms).where(eq(monitorAlarms.id, alarm!.id)))[0]!.webhook?.status, { timeout: 10_000 }).toBe("sent");

    // The monitoring page's data: the traffic per minute and x's histograms, current against training.
    const page = await endpointMonitoring(db(), artifactStore(), wsId, SLUG, { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) });
    const live = page.series.find((s) => s.role === "live")!;
    expect(live.totals).toMatchObject({ requests: 40, failed: 0, rows: 2000 });
    expect(live.points.reduce((a, p) => a + p.requests, 0)).toBe(40);
    const x = live.drift!.features[0]!;
    expect(x.name).toBe("x");
    expect(x.level).toBe("alarm");
    expect(x.current.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(x.labels).toHaveLength(x.reference.length);
    expect(live.drift!.features.find((f) => f.name === "size")!.level).toBe("ok");
    expect(page.alarms.map((a) => a.id).sort()).toEqual(alarms.map((a) => a.id).sort());
    expect(live.drift!.prediction).toMatchObject({ name: "prediction", level: "alarm" });
  }, 120_000);
});
