/**
 * The demo pipeline on real Postgres, a real Temporal dev server and a real worker process.
 */
import fs from "node:fs";
import path from "node:path";
import { Worker } from "@temporalio/worker";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, deployments, endpoints, modelVersions, runNodes, runs } from "~/db/schema";
import { InvalidError, UnavailableError } from "~/lib/errors";
import { env, setEnv } from "~/lib/env";
import { demoCsv, demoPipeline } from "~/lib/templates/demo";
import { importCsv } from "~/server/datasets/service";
import type { Child } from "~/server/launcher/children";
import { createPipeline } from "~/server/pipelines/repository";
import { inspectNode, nodeLog, nodeOutputFile } from "./inspect";
import { cancelRun, getRun, resumeRun, startRun } from "./service";
import { modelVersionsOf } from "~/server/models/service";
import { startServing } from "~/server/serving/testing";
import { spawnWorker } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import { closeTemporalClient, temporalClient } from "~/workflows/temporal/client";
import { workflowIdForRun } from "~/workflows/temporal/shared";
import { workflowsPath } from "~/workflows/temporal/worker";

const services = inject("services");
let worker: Child;

export async function waitForRun(runId: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(db(), runId);
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    if (worker.proc.exitCode !== null) throw new Error(`the worker exited with code ${worker.proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let datasetId: string;
beforeAll(async () => {
  worker = spawnWorker(services);
  const ds = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "demo", Buffer.from(demoCsv(400)));
  datasetId = ds.id;
});
afterAll(async () => {
  await worker?.stop();
  await closeTemporalClient();
  await closeDb();
});

const doc = (slug: string, patch: (d: ReturnType<typeof demoPipeline>) => void = () => {}) => {
  const d = demoPipeline(datasetId);
  for (const n of d.nodes) {
    if (n.type === "deploy-endpoint") n.config = { slug };
    if (n.type === "random-forest") n.config = { ...n.config, nEstimators: 30 };
  }
  patch(d);
  return d;
};

describe("demo pipeline", () => {
  it("runs to success, deploys an endpoint that predicts, and redeploys a new version on re-run", async () => {
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, doc("it-demo"));
    const { runId } = await startRun(db(), id);
    const run = await waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.nodes.map((n) => n.status)).toEqual(Array(8).fill("succeeded"));
    expect(run.metrics.accuracy).toBeGreaterThan(0.7);
    expect(run.metrics.test_rows).toBe(80);
    expect(run.endpoints).toEqual([expect.objectContaining({ slug: "it-demo", modelVersion: 1 })]);

    // The run keeps its scores; each node opens to its settings, inputs and outputs.
    const [kept] = await db().select({ metrics: runs.metrics }).from(runs).where(eq(runs.id, runId));
    expect(kept!.metrics).toEqual(run.metrics);
    const clean = await inspectNode(db(), artifactStore(), runId, "clean");
    expect(clean.inputs).toEqual([{ port: "dataset", from: { node: "ingest", port: "dataset" } }]);
    const out = clean.outputs[0]!;
    if (out.kind !== "dataset") throw new Error(`clean produced a ${out.kind}`);
    expect(out).toMatchObject({ port: "dataset", rows: 400, unavailable: null });
    expect(out.preview).toHaveLength(20);
    const f1 = out.stats.find((st) => st.name === "feature_1")!;
    // Filled: nothing missing, and every row in one of the histogram's bins.
    expect(f1.missing).toBe(0);
    expect(f1.histogram!.reduce((a, b) => a + b, 0)).toBe(400);
    expect(f1.min).toBeLessThan(f1.max!);
    const csv = await new Response((await nodeOutputFile(db(), artifactStore(), runId, "clean", "dataset", "csv")).body).text();
    expect(csv.trimEnd().split("\n")).toHaveLength(401);
    expect(csv.split("\n")[0]).toBe(out.columns.map((c) => c.name).join(","));
    const trained = (await nodeLog(db(), runId, "train")).lines;
    expect(trained.map((l) => l.message)).toEqual([
      "attempt 1 started",
      "training a classification forest of 30 trees on 'target'",
      "model: classification model of 'target' from 5 features",
      "final: classification model of 'target' from 5 features",
    ]);
    expect(trained[1]!.fields).toEqual({ rows: 320, features: 5, engine: "histogram" });
    const train = await inspectNode(db(), artifactStore(), runId, "train");
    expect(train.config).toMatchObject({ nEstimators: 30 });
    expect(train.outputs.find((o) => o.port === "model")).toMatchObject({ kind: "model", task: "classification", target: "target" });
    await expect(nodeOutputFile(db(), artifactStore(), runId, "train", "model", "csv")).rejects.toThrow("is a model, not a dataset");

    // The trained model is in the registry, under its pipeline and node, with evaluate's scores.
    const [version] = await db().select().from(modelVersions).where(eq(modelVersions.runId, runId));
    expect(version).toMatchObject({ nodeId: "train", version: 1, pipelineId: id });
    expect(version!.metrics!.accuracy).toBe(run.metrics.accuracy);
    // Its example is a complete row of the data as ingested (the endpoint documents it).
    expect(Object.keys(version!.example!).sort()).toEqual(["feature_1", "feature_2", "feature_3", "feature_4"]);
    expect(Object.values(version!.example!).every((v) => typeof v === "number")).toBe(true);
    const registered = await modelVersionsOf(db(), DEFAULT_WORKSPACE_ID, version!.name);
    expect(registered.versions.map((v) => [v.version, v.servedBy, v.runId])).toEqual([[1, ["it-demo"], runId]]);

    // The endpoint answers exactly what the deployed model file predicts on the same raw rows.
    const model = loadModel(parseModelFile(await artifactStore().getBytes(version!.artifactUri)));
    const rows = [
      { feature_1: 1.2, feature_2: 0.7, feature_3: null, feature_4: 3 },
      { feature_1: -2, feature_2: 0.7, feature_3: null, feature_4: 3 },
      { feature_1: 2, feature_2: 2, feature_3: 2, feature_4: 1 },
      { feature_1: 2, feature_2: -2, feature_3: -2, feature_4: 1 },
    ];
    const one = rows[0]!;
    // New endpoints are private; this one is made public so the calls below need no key.
    await db().update(endpoints).set({ access: "public" }).where(eq(endpoints.slug, "it-demo"));
    const serving = await startServing(db(), artifactStore());
    try {
      await serving.waitFor("it-demo", (s) => s.access === "public");
      const res = await serving.call("/api/v1/endpoints/it-demo/predict", { ...one, id: "row-1" });
      expect(res.status).toBe(200);
      expect(res.json.modelVersion).toBe(1);
      expect(res.json.predictions).toEqual(model.predict([one]));
      // A field the model does not know is ignored, and said so.
      expect(res.headers.get("millrace-ignored-fields")).toBe("id");
      const batch = await serving.call("/api/v1/endpoints/it-demo/predict", { instances: rows });
      expect(batch.json.predictions).toEqual(model.predict(rows));
      // Far from the boundary (target follows feature_1 * feature_2 + 0.8 * feature_3), the classes are certain.
      expect(batch.json.predictions.slice(2)).toEqual([1, 0]);

      const bad = await serving.call("/api/v1/endpoints/it-demo/predict", { feature_1: "x", feature_2: 1, feature_4: 2, extra: 1 });
      expect(bad.status).toBe(400);
      const fields = (bad.json.details as { field: string; message: string }[]).map((d) => `${d.field}: ${d.message}`);
      expect(fields).toEqual(expect.arrayContaining([expect.stringMatching(/^feature_1: must be a number/), "feature_3: is required"]));

      // Run again unchanged: every node but those with effects is reused, and the endpoint keeps version 1.
      const again = await waitForRun((await startRun(db(), id)).runId);
      expect(again.status).toBe("succeeded");
      const reused = again.nodes.filter((n) => n.cache?.reusedFrom).map((n) => n.nodeId).sort();
      expect(reused).toEqual(["clean", "evaluate", "feature", "ingest", "split", "train"]);
      expect(again.nodes.find((n) => n.nodeId === "train")!.cache).toEqual({ reusedFrom: { runId, nodeId: "train" }, reason: "reused: same config and inputs as an earlier run" });
      expect(again.nodes.find((n) => n.nodeId === "deploy")!.cache?.reason).toMatch(/^never reused/);
      expect(again.endpoints[0]?.modelVersion).toBe(1);
      expect(await db().select().from(modelVersions).where(eq(modelVersions.pipelineId, id))).toHaveLength(1);
      // A second run that ignores the cache trains anew and deploys version 2; the serving runtime learns of it by notification.
      const second = await waitForRun((await startRun(db(), id, { ignoreCache: true })).runId);
      expect(second.status).toBe("succeeded");
      expect(second.nodes.find((n) => n.nodeId === "train")!.cache?.reason).toBe("cache ignored for this run");
      expect(second.endpoints[0]?.modelVersion).toBe(2);
      await serving.waitFor("it-demo", (s) => s.primary.version === 2);
      const after = await serving.call("/api/v1/endpoints/it-demo/predict", one);
      expect(after.json.modelVersion).toBe(2);
    } finally {
      await serving.close();
    }
    const [ep] = await db().select().from(endpoints).where(eq(endpoints.slug, "it-demo"));
    expect(ep?.monitored).toBe(true);
    expect(ep?.pipelineId).toBe(id);

    // The nodes' scratch files went with their attempts: nothing is left to pile up.
    const scratch = path.join(env().dataDir, "artifacts", ".scratch");
    const files = fs.existsSync(scratch) ? fs.readdirSync(scratch, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()) : [];
    expect(files.map((f) => f.name)).toEqual([]);

    // The workflow is deterministic: its recorded history replays without divergence.
    const history = await (await temporalClient()).workflow.getHandle(workflowIdForRun(runId)).fetchHistory();
    await Worker.runReplayHistory({ workflowsPath }, history);
  });

  it("fails a run on bad data without retrying, names the node, and skips what depends on it", async () => {
    const { id } = await createPipeline(
      db(),
      DEFAULT_WORKSPACE_ID,
      doc("it-fail", (d) => {
        // Regression on a 0/1 target is fine; a classifier with a single class is not: fill every row's target the same.
        d.nodes.find((n) => n.id === "feature")!.config = { name: "target2", expression: "feature_4 * 0 + 1" };
        d.nodes.find((n) => n.id === "train")!.config = { target: "target2", nEstimators: 5 };
      }),
    );
    const run = await waitForRun((await startRun(db(), id)).runId);
    expect(run.status).toBe("failed");
    const byId = Object.fromEntries(run.nodes.map((n) => [n.nodeId, n]));
    expect(byId.train?.status).toBe("failed");
    expect(byId.train?.error).toMatch(/target column 'target2' has a single class/);
    expect(byId.train?.attempt).toBe(1);
    expect(run.error).toMatch(/^node train:/);
    expect(byId.evaluate?.status).toBe("skipped");
    expect(byId.deploy?.status).toBe("skipped");
    expect(byId.split?.status).toBe("succeeded");
    // Each node's log says what it did; the failing one ends with why.
    const trainLog = (await nodeLog(db(), run.id, "train")).lines;
    expect(trainLog.map((l) => [l.level, l.message])).toEqual([
      ["info", "attempt 1 started"],
      ["error", "failed: target column 'target2' has a single class; a classifier needs two or more"],
    ]);
    const split = (await nodeLog(db(), run.id, "split")).lines.map((l) => l.message);
    expect(split).toEqual(["attempt 1 started", "split 400 rows", "train: 320 rows × 6 columns", "test: 80 rows × 6 columns"]);
  });

  it("fails at once, without retries, when the data engine refuses the data (log of a negative number)", async () => {
    const { id } = await createPipeline(
      db(),
      DEFAULT_WORKSPACE_ID,
      doc("it-engine", (d) => (d.nodes.find((n) => n.id === "feature")!.config = { name: "bad", expression: "log(feature_4 - 100)" })),
    );
    const t0 = Date.now();
    const run = await waitForRun((await startRun(db(), id)).runId);
    expect(run.status).toBe("failed");
    const feature = run.nodes.find((n) => n.nodeId === "feature")!;
    expect(feature).toMatchObject({ status: "failed", attempt: 1 });
    expect(feature.error).toBe("Out of Range Error: cannot take logarithm of a negative number");
    expect(feature.error).not.toMatch(/\/(tmp|work)\//);
    // Five attempts with backoff took about 16 s before deterministic errors were recognised.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("fails a node whose outputs are too heavy to pass on, naming the fitted steps, at once rather than by the workflow engine", async () => {
    // Six columns of 10,000 categories (each twice): their codes travel with the data, ≈ 1.4 MB.
    const names = ["a", "b", "c", "d", "e", "f"];
    const lines = [names.join(",")];
    for (let i = 0; i < 20_000; i++) lines.push(names.map((c) => `${c}${String(i % 10_000).padStart(5, "0")}-category-x`).join(","));
    const ds = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "many-categories", Buffer.from(lines.join("\n")));
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, {
      name: "many categories",
      nodes: [
        { id: "ingest", type: "csv-dataset", config: { datasetId: ds.id }, position: { x: 0, y: 0 } },
        { id: "codes", type: "ordinal-encode", config: {}, position: { x: 200, y: 0 } },
      ],
      edges: [{ source: "ingest", sourceHandle: "dataset", target: "codes", targetHandle: "dataset" }],
    });
    const t0 = Date.now();
    const run = await waitForRun((await startRun(db(), id)).runId);
    expect(run.status).toBe("failed");
    const codes = run.nodes.find((n) => n.nodeId === "codes")!;
    expect(codes).toMatchObject({ status: "failed", attempt: 1 });
    expect(codes.error).toMatch(/^what this node passes on weighs 1\.\d MB, over the 1\.0 MB .*\(heaviest: ordinal-encode 1\.\d MB\); encode fewer columns, or columns with fewer distinct values$/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("refuses to deploy over an endpoint another pipeline serves, at compile time, naming the node and field", async () => {
    const { id: owner } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, doc("it-owned"));
    expect((await waitForRun((await startRun(db(), owner)).runId)).status).toBe("succeeded");
    const { id: copy } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, { ...doc("it-owned"), name: "A copy" });
    const err = await startRun(db(), copy).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).details.errors).toEqual([
      {
        nodeId: "deploy",
        path: "config.slug",
        message: "endpoint 'it-owned' is served by pipeline 'Demo: random forest classifier'; choose another slug or tick 'Take over the endpoint'",
      },
    ]);
    const [ep] = await db().select().from(endpoints).where(eq(endpoints.slug, "it-owned"));
    expect(ep?.pipelineId).toBe(owner);
  });

  it("fails the run and every node with the reason when Temporal cannot be reached", async () => {
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, doc("it-nostart"));
    const address = env().temporalAddress;
    await closeTemporalClient();
    setEnv({ TEMPORAL_ADDRESS: "127.0.0.1:9" }); // discard port: nothing answers
    try {
      const err = await startRun(db(), id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      const runId = (err as UnavailableError).details.runId as string;
      const run = await getRun(db(), runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/^could not start: Temporal at 127\.0\.0\.1:9 is unavailable/);
      expect(run.nodes).toHaveLength(8);
      for (const n of run.nodes) expect(n).toMatchObject({ status: "failed", error: run.error });
    } finally {
      await closeTemporalClient();
      setEnv({ TEMPORAL_ADDRESS: address });
    }
  });

  it("refuses to start a pipeline that does not compile, naming node and field", async () => {
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, doc("it-bad", (d) => (d.nodes.find((n) => n.id === "train")!.config = { target: "nope" })));
    const err = await startRun(db(), id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).details.errors).toContainEqual({ nodeId: "train", path: "config.target", message: "column 'nope' is not in the input" });
  });
});

describe("fix and resume", () => {
  it("resumes a cancelled run: what finished is reused, the rest runs, and the two runs are linked", async () => {
    const big = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "resume-data", Buffer.from(demoCsv(20_000, 13)));
    const { id } = await createPipeline(
      db(),
      DEFAULT_WORKSPACE_ID,
      doc("it-resume", (d) => {
        d.nodes.find((n) => n.id === "ingest")!.config = { datasetId: big.id };
        d.nodes.find((n) => n.id === "train")!.config = { target: "target", nEstimators: 400, seed: 9 };
      }),
    );
    const { runId } = await startRun(db(), id);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [train] = await db().select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, "train")));
      if (train?.status === "running") break;
      if (Date.now() > deadline) throw new Error("training never started");
      await new Promise((r) => setTimeout(r, 50));
    }
    await cancelRun(db(), runId);
    const cancelled = await waitForRun(runId);
    expect(cancelled.status).toBe("cancelled");
    await expect(resumeRun(db(), (await waitForRun((await startRun(db(), id)).runId)).id)).rejects.toThrow("only a failed or cancelled run is resumed");

    const resumed = await waitForRun((await resumeRun(db(), runId)).runId);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.resumedFrom).toBe(runId);
    expect((await getRun(db(), runId)).resumedBy.map((r) => r.id)).toContain(resumed.id);
    const byNode = Object.fromEntries(resumed.nodes.map((n) => [n.nodeId, n.cache]));
    for (const n of ["ingest", "clean", "feature", "split"]) expect(byNode[n]?.reusedFrom?.runId, n).toBe(runId);
  }, 240_000);
});

describe("durability", () => {
  it("finishes a run after its worker is SIGKILLed mid-slice, re-running only the lost slices, with one model version and an identical model", async () => {
    const big = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "kill-data", Buffer.from(demoCsv(20_000, 11)));
    const train = { target: "target", nEstimators: 240, slices: 3, seed: 5 };
    const pipeline = (slug: string) =>
      doc(slug, (d) => {
        d.nodes.find((n) => n.id === "ingest")!.config = { datasetId: big.id };
        d.nodes.find((n) => n.id === "train")!.config = train;
      });
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, pipeline("it-kill"));
    const { runId } = await startRun(db(), id);
    // Wait until the slices are growing trees, then kill the worker hard.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [row] = await db().select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, "train")));
      const started = Object.keys(row?.progress ?? {}).filter((k) => k.startsWith("slice-"));
      if (started.length > 0) break;
      if (Date.now() > deadline || worker.proc.exitCode !== null) throw new Error("slices never started");
      await new Promise((r) => setTimeout(r, 100));
    }
    worker.proc.kill("SIGKILL");
    await worker.exited;
    worker = spawnWorker(services, "worker-2");

    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.nodes.find((n) => n.nodeId === "train")!.attempt).toBe(1); // data preparation was not redone
    const history = await (await temporalClient()).workflow.getHandle(workflowIdForRun(runId)).fetchHistory();
    const sliceAttempts = new Map<string, number>();
    const scheduled = new Map<number, string>();
    for (const e of history.events ?? []) {
      const sch = e.activityTaskScheduledEventAttributes;
      if (sch?.activityType?.name === "executeSlice") scheduled.set(Number(e.eventId), String(sch.activityId));
      const st = e.activityTaskStartedEventAttributes;
      if (st && scheduled.has(Number(st.scheduledEventId))) sliceAttempts.set(scheduled.get(Number(st.scheduledEventId))!, st.attempt ?? 1);
    }
    expect(sliceAttempts.size).toBe(3);
    expect(Math.max(...sliceAttempts.values())).toBeGreaterThanOrEqual(2); // the kill hit a slice, which was retried

    // One version for the run's trained model, whatever was retried.
    const versions = await db().select().from(modelVersions).where(eq(modelVersions.runId, runId));
    expect(versions).toHaveLength(1);
    expect(await db().select().from(deployments).where(eq(deployments.runId, runId))).toHaveLength(1);

    // Determinism: an uninterrupted run of the same pipeline builds the very same model.
    const { id: refId } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, pipeline("it-kill-ref"));
    const ref = await waitForRun((await startRun(db(), refId, { ignoreCache: true })).runId);
    const [killed] = await db().select().from(modelVersions).where(eq(modelVersions.runId, runId));
    const [clean] = await db().select().from(modelVersions).where(eq(modelVersions.runId, ref.id));
    const a = await artifactStore().getBytes(killed!.artifactUri);
    const b = await artifactStore().getBytes(clean!.artifactUri);
    expect(Buffer.compare(a, b)).toBe(0);
  });
});
