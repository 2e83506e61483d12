/**
 * The serving runtime on real HTTP and a real Postgres: each protocol's documented shapes, keys
 * and rate limits, deploys, rollbacks and schema-break confirmation picked up by notification,
 * A/B split ratios and stickiness, shadow isolation, the prediction log and feedback joins.
 */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { endpoints, memberships, modelVersions, predictionLog, predictionLogBatches, workspaces } from "~/db/schema";
import type { ModelRef } from "~/lib/pipeline/plan";
import { artifactStore } from "~/workflows/artifacts";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { datasetFromCsv, runExecutor } from "~/workflows/nodes/testing";
import { createUserWithPassword } from "~/server/workspaces/service";
import { createServingKey, deployVersion, endpointPerformance, listRevisions, revokeServingKey, rollback, setEndpointSettings, setTraffic } from "../endpoints/service";
import { modelVersionsOf, removeAlias, setAlias } from "../models/service";
import { requestIdTime } from "./feedback";
import { metrics } from "../metrics/registry";
import { logIds, PredictionLog, pruneLog } from "./prediction-log";
import { ServingRuntime } from "./runtime";
import { startServing } from "./testing";

type Serving = Awaited<ReturnType<typeof startServing>>;
let serving: Serving;
let owner: { kind: "user"; userId: string; email: string; name: string; isAdmin: boolean };
let wsId: string;
const versions: { id: string; model: LoadedModel }[] = [];

/** y is "a" when x > 0 (colour is noise); the third model also needs a column z. */
function csv(withZ: boolean) {
  const lines = [withZ ? "x,colour,z,y" : "x,colour,y"];
  for (let i = 0; i < 200; i++) {
    const x = ((i * 37) % 200) / 20 - 5;
    const colour = ["red", "green", "blue"][i % 3];
    lines.push(withZ ? `${x},${colour},${i % 5},${x > 0 ? "a" : "b"}` : `${x},${colour},${x > 0 ? "a" : "b"}`);
  }
  return lines.join("\n");
}

async function trainVersion(n: number, withZ: boolean, seed: number) {
  const store = artifactStore() as FsArtifactStore;
  const data = await datasetFromCsv(store, `serving-it/${n}/data.parquet`, csv(withZ), { y: "target" });
  const res = await runExecutor(store, randomForest, { task: "classification", nEstimators: 15, seed }, { train: data }, { nodeId: `svc-${n}`, runId: "00000000-0000-0000-0000-0000000000a1" });
  const model = res.outputs.model as ModelRef;
  const bytes = await store.getBytes(model.uri);
  const [row] = await db()
    .insert(modelVersions)
    .values({ workspaceId: wsId, name: "svc", version: n, nodeId: `svc-${n}`, artifactUri: model.uri, task: "classification", inputSchema: model.signature as never })
    .returning();
  versions.push({ id: row!.id, model: loadModel(parseModelFile(bytes)) });
}

beforeAll(async () => {
  const [ws] = await db().insert(workspaces).values({ name: "Serving" }).returning();
  wsId = ws!.id;
  const user = await createUserWithPassword(db(), { email: "serving-owner@example.com", name: "Owner", password: "serving-test-password" });
  await db().insert(memberships).values({ workspaceId: wsId, userId: user.id, role: "owner" });
  owner = { kind: "user", userId: user.id, email: user.email, name: "Owner", isAdmin: false };
  await trainVersion(1, false, 1);
  await trainVersion(2, false, 2);
  await trainVersion(3, true, 3);
  await deployVersion(db(), artifactStore(), owner, wsId, "svc", { modelVersionId: versions[0]!.id });
  serving = await startServing(db(), artifactStore());
}, 120_000);

afterAll(async () => {
  await serving?.close();
  await closeDb();
});

const rows = [
  { x: 3.5, colour: "red" },
  { x: -4, colour: "blue" },
  { x: 0.25, colour: "green" },
  { x: -0.3, colour: null },
];
const expected = (v: number, rs = rows) => versions[v - 1]!.model.predict(rs.map((r) => ({ ...r })));

describe("serving", () => {
  let key: string;

  it("keeps a new endpoint private: no key 401 (with WWW-Authenticate), a key of its workspace 200", async () => {
    const anonymous = await serving.call("/api/v1/endpoints/svc/predict", rows[0]);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(anonymous.json.error).toBe("endpoint 'svc' is private: send Authorization: Bearer <serving key>");
    // Counted under the endpoint's name, not with unknown slugs.
    expect(await metrics().registry.metrics()).toMatch(/millrace_endpoint_requests_total\{endpoint="svc",status="401"\} [1-9]/);
    ({ key } = await createServingKey(db(), owner, wsId, { name: "it" }));
    expect(key).toMatch(/^mrk_/);
    // The runtime learns of the key by notification.
    await expect.poll(async () => (await serving.call("/api/v1/endpoints/svc/predict", rows[0], { authorization: `Bearer ${key}` })).status, { timeout: 5000 }).toBe(200);
  });

  const auth = () => ({ authorization: `Bearer ${key}` });

  it("speaks Millrace's format: one object or {instances}, with probabilities, version and request id", async () => {
    const one = await serving.call("/api/v1/endpoints/svc/predict", { ...rows[0], extra: 1 }, auth());
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ predictions: expected(1, [rows[0]!]), modelVersion: 1 });
    expect(one.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.headers.get("millrace-ignored-fields")).toBe("extra");
    expect(one.headers.get("millrace-unseen-categories")).toBeNull();
    // A colour training never saw is scored as a missing one, and the response says so.
    const unseen = await serving.call("/api/v1/endpoints/svc/predict", { instances: [{ x: 3.5, colour: "purple" }, rows[0]] }, auth());
    expect(unseen.headers.get("millrace-unseen-categories")).toBe("colour");
    expect(unseen.json.predictions).toEqual(expected(1, [{ x: 3.5, colour: null }, rows[0]!]));
    expect((await serving.call("/api/v1/endpoints/svc/predict", rows[1], auth())).headers.get("millrace-unseen-categories")).toBeNull();
    const probs = (one.json.probabilities as Record<string, number>[])[0]!;
    expect(Object.keys(probs).sort()).toEqual(["a", "b"]);
    expect(probs.a! + probs.b!).toBeCloseTo(1, 9);
    const batch = await serving.call("/api/v1/endpoints/svc/predict", { instances: rows }, auth());
    expect(batch.json.predictions).toEqual(expected(1));
    // Far from the boundary the classes are certain.
    expect(batch.json.predictions.slice(0, 2)).toEqual(["a", "b"]);
  });

  it("speaks MLflow's scoring formats: dataframe_split, dataframe_records, instances and inputs", async () => {
    const call = (body: unknown) => serving.call("/api/v1/endpoints/svc/invocations", body, auth());
    const want = { predictions: expected(1) };
    expect((await call({ dataframe_split: { columns: ["x", "colour"], data: rows.map((r) => [r.x, r.colour]) } })).json).toEqual(want);
    expect((await call({ dataframe_records: rows })).json).toEqual(want);
    expect((await call({ instances: rows })).json).toEqual(want);
    // Arrays in the order of the model's inputs, and an object of columns.
    expect((await call({ inputs: rows.map((r) => [r.x, r.colour]) })).json).toEqual(want);
    expect((await call({ inputs: { x: rows.map((r) => r.x), colour: rows.map((r) => r.colour) }, params: {} })).json).toEqual(want);
    const two = await call({ instances: rows, inputs: rows });
    expect(two.status).toBe(400);
    expect(two.json.error).toBe("the body must have exactly one of dataframe_split, dataframe_records, instances, inputs; got instances, inputs");
    const ragged = await call({ dataframe_split: { columns: ["x", "colour"], data: [[1, "red"], [2]] } });
    expect(ragged.json.error).toBe("dataframe_split.data[1] must be an array of 2 values (one per column)");
  });

  it("speaks the Open Inference Protocol: health, metadata, readiness and infer with named, typed, shaped tensors", async () => {
    expect((await serving.call("/v2/health/live")).json).toEqual({ live: true });
    expect((await serving.call("/v2/health/ready")).json).toEqual({ ready: true });
    expect((await serving.call("/v2")).json).toMatchObject({ name: "millrace", extensions: [] });
    const meta = await serving.call("/v2/models/svc", undefined, auth());
    expect(meta.json).toEqual({
      name: "svc",
      versions: ["1"],
      platform: "millrace-histogram",
      inputs: [
        { name: "x", datatype: "FP64", shape: [-1] },
        { name: "colour", datatype: "BYTES", shape: [-1] },
      ],
      outputs: [
        { name: "predictions", datatype: "BYTES", shape: [-1] },
        { name: "probabilities", datatype: "FP64", shape: [-1, 2] },
      ],
    });
    expect((await serving.call("/v2/models/svc/ready", undefined, auth())).json).toEqual({ name: "svc", ready: true });
    const infer = await serving.call(
      "/v2/models/svc/infer",
      {
        id: "req-42",
        inputs: [
          { name: "x", shape: [4, 1], datatype: "FP64", data: rows.map((r) => r.x) },
          { name: "colour", shape: [4], datatype: "BYTES", data: rows.map((r) => r.colour) },
        ],
      },
      auth(),
    );
    expect(infer.status).toBe(200);
    expect(infer.json).toMatchObject({ model_name: "svc", model_version: "1", id: "req-42" });
    const [pred, prob] = infer.json.outputs as { name: string; datatype: string; shape: number[]; data: unknown[]; parameters?: { classes: string[] } }[];
    expect(pred).toEqual({ name: "predictions", datatype: "BYTES", shape: [4], data: expected(1) });
    expect(prob!.shape).toEqual([4, 2]);
    expect(prob!.parameters!.classes).toEqual(["a", "b"]);
    expect((prob!.data as number[])[0]! + (prob!.data as number[])[1]!).toBeCloseTo(1, 9);
    // Only the outputs asked for; a wrong datatype or shape is a 400 naming the tensor.
    const only = await serving.call("/v2/models/svc/infer", { inputs: [{ name: "x", shape: [1], datatype: "FP32", data: [1] }, { name: "colour", shape: [1], datatype: "BYTES", data: ["red"] }], outputs: [{ name: "predictions" }] }, auth());
    expect((only.json.outputs as unknown[]).length).toBe(1);
    const badType = await serving.call("/v2/models/svc/infer", { inputs: [{ name: "x", shape: [1], datatype: "BYTES", data: [1] }] }, auth());
    expect(badType.json.error).toBe("inputs[0] (x): data[0] is not BYTES: 1");
    const badShape = await serving.call("/v2/models/svc/infer", { inputs: [{ name: "x", shape: [2], datatype: "FP64", data: [1] }] }, auth());
    expect(badShape.json.error).toBe("inputs[0] (x): shape says 2 values, data has 1");
    expect((await serving.call("/v2/models/svc/versions/9/infer", { inputs: [{ name: "x", shape: [1], datatype: "FP64", data: [1] }] }, auth())).status).toBe(404);
  });

  it("answers client errors with 4xx naming the problem, never 5xx", async () => {
    const missing = await serving.call("/api/v1/endpoints/svc/predict", { colour: "red" }, auth());
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe("invalid input: x is required");
    const wrongType = await serving.call("/api/v1/endpoints/svc/predict", { x: "1", colour: "red" }, auth());
    expect(wrongType.json.error).toBe('invalid input: x must be a number, got "1"');
    const res = await fetch(`${serving.url}/api/v1/endpoints/svc/predict`, { method: "POST", headers: { ...auth(), "content-type": "text/plain" }, body: "x" });
    expect(res.status).toBe(415);
    const big = await fetch(`${serving.url}/api/v1/endpoints/svc/predict`, { method: "POST", headers: { ...auth(), "content-type": "application/json" }, body: `{"x": "${"a".repeat(11 * 1024 * 1024)}"}` });
    expect(big.status).toBe(413);
    expect((await serving.call("/api/v1/endpoints/svc/predict", "{nope", auth())).status).toBe(400);
    expect((await serving.call("/api/v1/endpoints/svc/predict", undefined, auth())).status).toBe(405);
    expect((await serving.call("/api/v1/endpoints/nope/predict", rows[0], auth())).status).toBe(404);
    // Refused before its body is read (no key): the answer still arrives, the body is drained, not waited on.
    const unread = await fetch(`${serving.url}/api/v1/endpoints/svc/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: `{"x": "${"a".repeat(5 * 1024 * 1024)}"}` });
    expect(unread.status).toBe(401);
  });

  it("confines keys: to their endpoints, their workspace, their rate limit, and not a moment after revocation", async () => {
    const [other] = await db().insert(endpoints).values({ workspaceId: wsId, slug: "svc-other", modelVersionId: versions[0]!.id }).returning();
    expect(other).toBeDefined();
    const scoped = await createServingKey(db(), owner, wsId, { name: "scoped", endpoints: ["svc-other"] });
    const [ws2] = await db().insert(workspaces).values({ name: "Elsewhere" }).returning();
    const stranger = await createServingKey(db(), owner, ws2!.id, { name: "stranger" });
    const limited = await createServingKey(db(), owner, wsId, { name: "limited", rateLimit: 3 });
    const as = (k: string) => ({ authorization: `Bearer ${k}` });
    await expect.poll(async () => (await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(limited.key))).status, { timeout: 5000 }).toBe(200);
    const forbidden = await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(scoped.key));
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toBe("key 'scoped' may not call endpoint 'svc'");
    expect((await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(stranger.key))).status).toBe(404);
    expect((await serving.call("/api/v1/endpoints/svc/predict", rows[0], as("mrk_not-a-key"))).status).toBe(401);
    // 3 per minute: the poll used one; two more pass, the next is 429 with Retry-After.
    expect((await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(limited.key))).status).toBe(200);
    expect((await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(limited.key))).status).toBe(200);
    const limitedOut = await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(limited.key));
    expect(limitedOut.status).toBe(429);
    expect(Number(limitedOut.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limitedOut.headers.get("retry-after"))).toBeLessThanOrEqual(20);
    await revokeServingKey(db(), owner, wsId, limited.id);
    await expect.poll(async () => (await serving.call("/api/v1/endpoints/svc/predict", rows[0], as(limited.key))).status, { timeout: 5000 }).toBe(401);
    // Public by choice: anyone may call, and a wrong key is still refused.
    await setEndpointSettings(db(), owner, wsId, "svc-other", { access: "public" });
    await expect.poll(async () => (await serving.call("/api/v1/endpoints/svc-other/predict", rows[0])).status, { timeout: 5000 }).toBe(200);
    expect((await serving.call("/api/v1/endpoints/svc-other/predict", rows[0], as("mrk_wrong"))).status).toBe(401);
  });

  it("holds a key's rate limit across serving processes, not once per process", async () => {
    const other = await startServing(db(), artifactStore());
    try {
      const shared = await createServingKey(db(), owner, wsId, { name: "shared-limit", rateLimit: 6 });
      const as = { authorization: `Bearer ${shared.key}` };
      const call = (s: typeof serving) => s.call("/api/v1/endpoints/svc/predict", rows[0], as).then((r) => r.status);
      // Each process learns of the new key by its own notification: wait for both (a 401 takes
      // nothing from the limit). The second only after both synced once: a process's first sync
      // takes the others' counts as a baseline from before it started.
      await expect.poll(() => other.runtime.endpoint("svc") && call(other), { timeout: 5000 }).toBe(200);
      await serving.runtime.syncRateLimits();
      await other.runtime.syncRateLimits();
      await expect.poll(() => serving.runtime.endpoint("svc") && call(serving), { timeout: 5000 }).toBe(200);
      // 6 a minute: one went through each above; one more through this process and three through the other.
      expect(await call(other)).toBe(200);
      expect(await call(serving)).toBe(200);
      expect(await call(other)).toBe(200);
      expect(await call(other)).toBe(200);
      await serving.runtime.syncRateLimits();
      await other.runtime.syncRateLimits();
      await serving.runtime.syncRateLimits();
      // Six in all: each process knows of the other's, so both refuse (alone, each would have let 6 through).
      const refused = await serving.call("/api/v1/endpoints/svc/predict", rows[0], as);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await call(other)).toBe(429);
      const published = await db().execute<{ taken: string }>(sql`select taken::text from serving_key_use where key_id = ${shared.id} order by taken`);
      expect([...published].map((r) => Number(r.taken))).toEqual([2, 4]);
    } finally {
      await other.close();
    }
  });

  it("goes live with a deploy and rolls back, by notification, keeping the revision history; a breaking schema needs confirmation", async () => {
    const deployed = await deployVersion(db(), artifactStore(), owner, wsId, "svc", { modelVersionId: versions[1]!.id });
    expect(deployed.revision).toBe(2);
    await serving.waitFor("svc", (s) => s.primary.version === 2);
    expect((await serving.call("/api/v1/endpoints/svc/predict", { instances: rows }, auth())).json).toMatchObject({ predictions: expected(2), modelVersion: 2 });
    const back = await rollback(db(), artifactStore(), owner, wsId, "svc", { revision: 1 });
    expect(back).toMatchObject({ revision: 3, modelVersion: { version: 1 } });
    await serving.waitFor("svc", (s) => s.primary.version === 1);
    const history = await listRevisions(db(), wsId, "svc");
    expect(history.revisions.map((r) => [r.revision, r.kind, r.version, r.live])).toEqual([
      [3, "rollback", 1, true],
      [2, "deploy", 2, false],
      [1, "deploy", 1, false],
    ]);
    const refused = await deployVersion(db(), artifactStore(), owner, wsId, "svc", { modelVersionId: versions[2]!.id }).catch((e: unknown) => e as { kind: string; details: { breaking: string[] } });
    expect(refused).toMatchObject({ kind: "conflict", details: { breaking: ["'z' (number) is new and required"] } });
    // Still serving version 1 after the refusal.
    expect(serving.runtime.endpoint("svc")!.primary.version).toBe(1);
  });

  it("follows an alias it was deployed by: each move goes live as a revision, a breaking move needs confirmation, a pinned deploy stops following", async () => {
    await setAlias(db(), artifactStore(), owner, wsId, "svc", "champion", 1);
    const first = await deployVersion(db(), artifactStore(), owner, wsId, "svc-champion", { model: "svc", alias: "champion" });
    expect(first).toMatchObject({ created: true, follows: { model: "svc", alias: "champion" }, modelVersion: { version: 1 } });
    await setEndpointSettings(db(), owner, wsId, "svc-champion", { access: "public" });
    await serving.waitFor("svc-champion", (s) => s.primary.version === 1);

    const moved = await setAlias(db(), artifactStore(), owner, wsId, "svc", "champion", 2);
    expect(moved.deployed).toEqual([{ slug: "svc-champion", revision: 2 }]);
    await serving.waitFor("svc-champion", (s) => s.primary.version === 2);
    expect((await serving.call("/api/v1/endpoints/svc-champion/predict", { instances: rows })).json).toMatchObject({ predictions: expected(2), modelVersion: 2 });

    // Version 3 needs a column callers do not send: the alias stays where it was until confirmed.
    const refused = (await setAlias(db(), artifactStore(), owner, wsId, "svc", "champion", 3).catch((e: unknown) => e)) as { kind: string; message: string };
    expect(refused).toMatchObject({ kind: "conflict" });
    expect(refused.message).toContain("/svc-champion: 'z' (number) is new and required");
    expect((await modelVersionsOf(db(), wsId, "svc")).versions.find((v) => v.aliases.includes("champion"))!.version).toBe(2);
    await expect(removeAlias(db(), owner, wsId, "svc", "champion")).rejects.toThrow("endpoints /svc-champion follow svc@champion");
    const confirmed = await setAlias(db(), artifactStore(), owner, wsId, "svc", "champion", 3, { confirmSchemaChange: true });
    expect(confirmed.deployed).toEqual([{ slug: "svc-champion", revision: 3 }]);
    await serving.waitFor("svc-champion", (s) => s.primary.version === 3);
    expect((await listRevisions(db(), wsId, "svc-champion")).revisions.map((r) => [r.revision, r.kind, r.version])).toEqual([
      [3, "alias", 3],
      [2, "alias", 2],
      [1, "deploy", 1],
    ]);

    // A version deployed by id pins the endpoint: the alias moves alone from then on.
    await deployVersion(db(), artifactStore(), owner, wsId, "svc-champion", { modelVersionId: versions[2]!.id });
    expect((await setAlias(db(), artifactStore(), owner, wsId, "svc", "champion", 1)).deployed).toEqual([]);
    await removeAlias(db(), owner, wsId, "svc", "champion");
    expect(serving.runtime.endpoint("svc-champion")!.primary.version).toBe(3);
  });

  it("splits traffic by weight, keeps a caller's key on one variant, and mirrors to a shadow without touching responses", async () => {
    await setTraffic(db(), artifactStore(), owner, wsId, "svc", { variants: [{ modelVersionId: versions[0]!.id, weight: 70 }, { modelVersionId: versions[1]!.id, weight: 30 }] });
    await serving.waitFor("svc", (s) => s.live.length === 2);
    const counts = { 1: 0, 2: 0 } as Record<number, number>;
    for (let i = 0; i < 1000; i++) counts[(await serving.call("/api/v1/endpoints/svc/predict", rows[0], auth())).json.modelVersion as number]! += 1;
    // Binomial(1000, 0.3): mean 300, sd 14.5; ±5 sd.
    expect(counts[2]).toBeGreaterThan(227);
    expect(counts[2]).toBeLessThan(373);
    expect(counts[1]! + counts[2]!).toBe(1000);
    const sticky = new Set<number>();
    for (let i = 0; i < 50; i++) sticky.add((await serving.call("/api/v1/endpoints/svc/predict", rows[0], { ...auth(), "millrace-variant-key": "customer-7" })).json.modelVersion as number);
    expect(sticky.size).toBe(1);

    // Version 2 live, version 3 (which needs z, never sent) as a shadow: callers never see it fail.
    await setTraffic(db(), artifactStore(), owner, wsId, "svc", { variants: [{ modelVersionId: versions[1]!.id, weight: 1 }, { modelVersionId: versions[2]!.id, weight: 0, shadow: true }, { modelVersionId: versions[0]!.id, weight: 0, shadow: true }] });
    await serving.waitFor("svc", (s) => s.shadows.length === 2 && s.live.length === 1);
    const res = [];
    for (let i = 0; i < 20; i++) res.push(await serving.call("/api/v1/endpoints/svc/predict", { instances: rows }, auth()));
    expect(res.every((r) => r.status === 200 && r.json.modelVersion === 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    await serving.runtime.log.flush();
    const ids = res.map((r) => r.json.requestId as string);
    const logged = await db().select().from(predictionLog).where(eq(predictionLog.requestId, ids[0]!));
    // The live variant and the working shadow, four instances each; the failing shadow logs nothing.
    expect(logged.map((l) => `${l.shadow ? "shadow" : "live"}:${versions.findIndex((v) => v.id === l.modelVersionId) + 1}`).sort()).toEqual([
      ...Array(4).fill("live:2"),
      ...Array(4).fill("shadow:1"),
    ]);
    expect(JSON.parse(logged.find((l) => l.idx === 3 && !l.shadow)!.input)).toEqual(rows[3]);
    // One object: the live variant logs it as the caller wrote it (less a byte-order mark), unknown
    // field included; the shadow, which scored a copy, logs the copy serialized.
    const written = '{ "x": 0.50, "colour": "red", "note": "é" }';
    const single = await serving.call("/api/v1/endpoints/svc/predict", `\ufeff${written}`, auth());
    expect(single.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    await serving.runtime.log.flush();
    const mine = await db().select().from(predictionLog).where(eq(predictionLog.requestId, single.json.requestId as string));
    expect(mine.find((l) => !l.shadow)!.input).toBe(written);
    expect(mine.find((l) => l.shadow)!.input).toBe('{"x":0.5,"colour":"red","note":"é"}');
    // Written in COPY's binary format: the time and latency arrive as they were taken.
    for (const l of logged) {
      expect(Math.abs(l.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(l.latencyMs).toBeGreaterThan(0);
      expect(l.latencyMs).toBeLessThan(60_000);
    }
  });

  it("joins feedback to logged predictions, in either order, into live accuracy per version with an interval", async () => {
    await setTraffic(db(), artifactStore(), owner, wsId, "svc", { variants: [{ modelVersionId: versions[0]!.id, weight: 1 }] });
    await serving.waitFor("svc", (s) => s.live.length === 1 && s.shadows.length === 0 && s.primary.version === 1);
    const [ep] = await db().select().from(endpoints).where(eq(endpoints.slug, "svc"));
    const before = (await endpointPerformance(db(), wsId, "svc")).versions.find((v) => v.version === 1 && !v.shadow);
    // Labels first (before the log is written), then the rest after.
    const res = await serving.call("/api/v1/endpoints/svc/predict", { instances: rows }, auth());
    const requestId = res.json.requestId as string;
    // Time-ordered ids: the feedback join reads only the log's blocks of that time.
    expect(requestId[14]).toBe("7");
    expect(Math.abs(requestIdTime(requestId)! - Date.now())).toBeLessThan(5000);
    const truth = rows.map((r) => ((r.x as number) > 0 ? "a" : "b"));
    // Row 3 is labelled with the other class.
    const label = (i: number) => (i === 3 ? (truth[3] === "a" ? "b" : "a") : truth[i]);
    const early = await serving.call("/api/v1/endpoints/svc/feedback", { requestId, index: 0, label: truth[0] }, auth());
    // Stored, not yet matched: its prediction is still in the log's queue.
    expect(early.json).toEqual({ accepted: 1, matched: 0 });
    await serving.runtime.log.flush();
    const late = await serving.call("/api/v1/endpoints/svc/feedback", { feedback: [1, 2, 3].map((index) => ({ requestId, index, label: label(index) })) }, auth());
    expect(late.json).toEqual({ accepted: 3, matched: 3 });
    // Another endpoint's key cannot label (or relabel) this endpoint's predictions.
    const elsewhere = await serving.call("/api/v1/endpoints/svc-other/feedback", { requestId, index: 0, label: "b" }, auth());
    expect(elsewhere.json).toEqual({ accepted: 0, matched: 0 });
    const after = (await endpointPerformance(db(), wsId, "svc")).versions.find((v) => v.version === 1 && !v.shadow)!;
    const right = expected(1).filter((p, i) => i < 4 && p === label(i)).length;
    expect(after.labelled - (before?.labelled ?? 0)).toBe(4);
    expect(after.labelled).toBe(4); // the only labelled predictions so far
    expect(after.accuracy).toBeCloseTo(right / 4, 12);
    expect(after.low!).toBeLessThanOrEqual(after.accuracy!);
    expect(after.high!).toBeGreaterThanOrEqual(after.accuracy!);
    expect(ep).toBeDefined();
    // A prediction logged before ids carried their time (a random UUID) still joins.
    const legacy = randomUUID();
    await db().execute(sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, input, prediction, latency_ms, created_at) values (${legacy}, 0, ${ep!.id}, ${versions[0]!.id}, '{}', '"a"', 1, now() - interval '3 days')`);
    expect((await serving.call("/api/v1/endpoints/svc/feedback", { requestId: legacy, label: "a" }, auth())).json).toEqual({ accepted: 1, matched: 1 });
    await db().execute(sql`delete from prediction_feedback where request_id = ${legacy}`);
    await db().execute(sql`delete from prediction_log_batches where ${legacy}::uuid = any(request_ids)`);
    // Feedback needs a key even where predictions would not, and names what is wrong.
    expect((await serving.call("/api/v1/endpoints/svc/feedback", { requestId, label: "a" })).status).toBe(401);
    expect((await serving.call("/api/v1/endpoints/svc/feedback", { requestId: "nope", label: "a" }, auth())).json.error).toBe("requestId must be the requestId of a prediction (a UUID)");
    const unknownClass = await serving.call("/api/v1/endpoints/svc/feedback", { requestId, label: "c" }, auth());
    expect([unknownClass.status, unknownClass.json.error]).toEqual([400, 'label "c" is not a class this endpoint\'s models know ("a", "b")']);
  });

  it("stops an A/B variant whose live accuracy is confidently below its guardrail, and keeps the last one answering", async () => {
    await setTraffic(db(), artifactStore(), owner, wsId, "svc", {
      variants: [
        { modelVersionId: versions[0]!.id, weight: 1 },
        { modelVersionId: versions[1]!.id, weight: 1, guardrail: { minAccuracy: 0.9, minLabelled: 20 } },
      ],
    });
    await serving.waitFor("svc", (s) => s.live.length === 2);
    // 25 predictions of version 2 (pinned by the OIP version path), all labelled wrong.
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await serving.call("/v2/models/svc/versions/2/infer", { inputs: [{ name: "x", shape: [1], datatype: "FP64", data: [3] }, { name: "colour", shape: [1], datatype: "BYTES", data: ["red"] }] }, auth());
      ids.push((r.json.parameters as { requestId: string }).requestId);
    }
    await serving.runtime.log.flush();
    expect((await serving.runtime.checkGuardrails()).length).toBe(0); // no labels yet: nothing to judge
    // x = 3 is "a": every label says "b".
    await serving.call("/api/v1/endpoints/svc/feedback", { feedback: ids.map((requestId) => ({ requestId, label: "b" })) }, auth());
    const decisions = await serving.runtime.checkGuardrails();
    expect(decisions).toEqual([{ slug: "svc", version: 2, action: "stopped", reason: expect.stringMatching(/^accuracy 0\.000 \(95% interval 0\.000–0\.1\d\d, 25 labelled\) is below 0\.9$/) }]);
    await serving.waitFor("svc", (s) => s.live.length === 1 && s.shadows.length === 1);
    expect(serving.runtime.endpoint("svc")!.live[0]!.version).toBe(1);
    const history = await listRevisions(db(), wsId, "svc");
    expect(history.revisions[0]).toMatchObject({ kind: "guardrail", live: true });
  });

  it("writes every queued row intact across full batches, flush after flush (written batches are filled again)", async () => {
    const log = new PredictionLog(db());
    const endpointId = randomUUID();
    const ids = logIds(endpointId, randomUUID());
    const sent = new Map<string, string>();
    // Three rounds of 6,000 rows (~1.3 MiB), live and shadow apart; a round's batches are reused, and their columns grown, by the next.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 6000; i++) {
        const requestId = randomUUID();
        const text = JSON.stringify({ round, i, pad: `${round}-${i}-`.padEnd(200, String.fromCharCode(97 + ((round + i) % 26))) });
        sent.set(requestId, text);
        log.append(ids, requestId, [JSON.parse(text) as Record<string, unknown>], [i % 2 ? "a" : "b"], i / 10, i % 10 === 0, Date.now(), i % 3 ? text : undefined);
      }
      await log.flush();
    }
    const rows = await db().select().from(predictionLog).where(eq(predictionLog.endpointId, endpointId));
    expect(rows.length).toBe(18_000);
    const perRound = [0, 0, 0];
    for (const r of rows) {
      const { round, i } = JSON.parse(r.input) as { round: number; i: number };
      expect([r.input, r.shadow, r.prediction, r.latencyMs]).toEqual([sent.get(r.requestId), i % 10 === 0, i % 2 ? '"a"' : '"b"', i / 10]);
      expect(r.batchFirstAt.getTime()).toBeLessThanOrEqual(r.createdAt.getTime());
      expect(r.batchLastAt.getTime()).toBeGreaterThanOrEqual(r.createdAt.getTime());
      perRound[round]!++;
    }
    expect(perRound).toEqual([6000, 6000, 6000]);
    // 5,400 live rows a round: a full batch written at once, then the rest.
    const [batches] = await db().execute<{ largest: number }>(sql`select max(cardinality(request_ids))::int as largest from prediction_log_batches where endpoint_id = ${endpointId}`);
    expect(batches!.largest).toBe(5000);
    await db().delete(predictionLogBatches).where(eq(predictionLogBatches.endpointId, endpointId));
  });

  it("prunes logged predictions and feedback past their retention, and keeps everything with 0 days", async () => {
    const [ep] = await db().select().from(endpoints).where(eq(endpoints.slug, "svc"));
    const old = "00000000-0000-4000-8000-00000000dead";
    await db().execute(sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, input, prediction, latency_ms, created_at)
      values (${old}, 0, ${ep!.id}, ${versions[0]!.id}, '{}', '"a"', 1, now() - interval '40 days')`);
    await db().execute(sql`insert into prediction_feedback (request_id, idx, endpoint_id, label, created_at) values (${old}, 0, ${ep!.id}, '"a"', now() - interval '40 days')`);
    const before = (await db().select().from(predictionLog)).length;
    expect(await pruneLog(db(), 0)).toBe(0);
    expect(await pruneLog(db(), 30)).toBe(2);
    const after = await db().select().from(predictionLog);
    expect(after.length).toBe(before - 1);
    expect(after.some((r) => r.requestId === old)).toBe(false);
  });

  it("loses no request while a deploy and a rollback go live under concurrent load", async () => {
    let failed = 0;
    let done = 0;
    const seen = new Set<number>();
    const stop = Date.now() + 3000;
    const worker = async () => {
      while (Date.now() < stop) {
        const r = await serving.call("/api/v1/endpoints/svc/predict", rows[0], auth()).catch(() => null);
        if (!r || r.status !== 200) failed++;
        else seen.add(r.json.modelVersion as number);
        done++;
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, worker));
    await new Promise((r) => setTimeout(r, 700));
    await deployVersion(db(), artifactStore(), owner, wsId, "svc", { modelVersionId: versions[1]!.id });
    await new Promise((r) => setTimeout(r, 1000));
    const history = await listRevisions(db(), wsId, "svc");
    await rollback(db(), artifactStore(), owner, wsId, "svc", { revision: history.revisions.find((r) => r.version === 1 && r.kind === "deploy")!.revision });
    await load;
    expect(failed).toBe(0);
    expect(done).toBeGreaterThan(100);
    expect([...seen].sort()).toEqual([1, 2]);
  });

  it("stops an A/B variant whose error rate on its own traffic is confidently above its guardrail", async () => {
    // Version 3 needs a column z that callers of svc do not send: every request it draws fails.
    await setTraffic(db(), artifactStore(), owner, wsId, "svc", {
      variants: [
        { modelVersionId: versions[0]!.id, weight: 1 },
        { modelVersionId: versions[2]!.id, weight: 1, guardrail: { maxErrorRate: 0.05, minRequests: 20 } },
      ],
      confirmSchemaChange: true,
    });
    const served = await serving.waitFor("svc", (s) => s.live.length === 2 && s.live.some((v) => v.version === 3));
    const infer = { inputs: [{ name: "x", shape: [1], datatype: "FP64", data: [3] }, { name: "colour", shape: [1], datatype: "BYTES", data: ["red"] }] };
    for (let i = 0; i < 10; i++) expect((await serving.call("/v2/models/svc/versions/3/infer", infer, auth())).status).toBe(400);
    expect(await serving.runtime.checkGuardrails()).toEqual([]); // 10 requests: too few to judge
    for (let i = 0; i < 15; i++) await serving.call("/v2/models/svc/versions/3/infer", infer, auth());
    for (let i = 0; i < 30; i++) expect((await serving.call("/v2/models/svc/versions/1/infer", infer, auth())).status).toBe(200);
    expect(served.live.map((v) => [v.version, v.stats.requests, v.stats.errors])).toEqual([
      [1, 30, 0],
      [3, 25, 25],
    ]);
    const decisions = await serving.runtime.checkGuardrails();
    expect(decisions).toEqual([{ slug: "svc", version: 3, action: "stopped", reason: expect.stringMatching(/^error rate 1\.000 \(95% interval 0\.8\d\d–1\.000, 25 requests\) is above 0\.05$/) }]);
    await serving.waitFor("svc", (s) => s.live.length === 1 && s.live[0]!.version === 1 && s.shadows[0]?.version === 3);
  });

  it("answers /metrics from this process's registry, with the serving routes' method handling", async () => {
    const get = await fetch(`${serving.url}/metrics`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await get.text()).toMatch(/millrace_endpoint_requests_total\{endpoint="svc",status="200"\} [1-9]/);
    const head = await fetch(`${serving.url}/metrics`, { method: "HEAD" });
    expect([head.status, await head.text()]).toEqual([200, ""]);
    const post = await fetch(`${serving.url}/metrics`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    expect((await fetch(`${serving.url}/metrics`, { method: "OPTIONS" })).status).toBe(204);
  });

  it("on demand (the app process's runtime for the endpoint page): loads only the endpoint asked for, read afresh on each use, following nothing", async () => {
    await deployVersion(db(), artifactStore(), owner, wsId, "svc-demand", { modelVersionId: versions[0]!.id });
    const rt = new ServingRuntime(db(), artifactStore());
    try {
      const first = await rt.servedNow("svc-demand");
      expect(first!.primary.version).toBe(1);
      expect(rt.score(first!, [{ ...rows[0]! }], { batch: false }).predictions).toEqual(expected(1, [rows[0]!]));
      expect(rt.endpoint("svc")).toBeUndefined();
      expect(await rt.servedNow("no-such-endpoint")).toBeUndefined();
      // A deploy made since, with no notification followed: the next use reads it.
      await deployVersion(db(), artifactStore(), owner, wsId, "svc-demand", { modelVersionId: versions[1]!.id });
      expect((await rt.servedNow("svc-demand"))!.primary.version).toBe(2);
      expect(rt.endpoint("svc")).toBeUndefined();
    } finally {
      await rt.stop();
    }
  });
});
