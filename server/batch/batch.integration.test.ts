/**
 * Batch scoring on real Postgres, a real Temporal server and a real worker process: a dataset
 * scored chunk by chunk into one file in the dataset's order, predictions equal to the model's
 * own, rows the model cannot read kept with their reason, and datasets it cannot score refused
 * before anything starts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { memberships, modelVersions, workspaces } from "~/db/schema";
import { InvalidError } from "~/lib/errors";
import { setEnv } from "~/lib/env";
import type { ModelRef } from "~/lib/pipeline/plan";
import type { Child } from "~/server/launcher/children";
import { spawnWorker } from "~/server/testing/services";
import { createUserWithPassword } from "~/server/workspaces/service";
import { artifactStore } from "~/workflows/artifacts";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { datasetFromCsv, runExecutor } from "~/workflows/nodes/testing";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { importCsv } from "../datasets/service";
import { deployVersion } from "../endpoints/service";
import { batchScoreFile, deleteBatchScore, getBatchScore, listBatchScores, startBatchScore } from "./service";
import { env } from "~/lib/env";

const services = inject("services");
let worker: Child;
let wsId: string;
let owner: { kind: "user"; userId: string; email: string; name: string; isAdmin: boolean };

async function train(name: string, csv: string, config: Record<string, unknown>) {
  const store = artifactStore() as FsArtifactStore;
  const data = await datasetFromCsv(store, `batch-it/${name}/data.parquet`, csv, { y: "target" });
  const res = await runExecutor(store, randomForest, { nEstimators: 12, seed: 3, ...config }, { train: data }, { nodeId: `batch-${name}`, runId: "00000000-0000-0000-0000-0000000000b1" });
  const ref = res.outputs.model as ModelRef;
  const [row] = await db()
    .insert(modelVersions)
    .values({ workspaceId: wsId, name, version: 1, nodeId: `batch-${name}`, artifactUri: ref.uri, task: config.task as "classification", inputSchema: ref.signature as never })
    .returning();
  return { id: row!.id, model: loadModel(parseModelFile(await store.getBytes(ref.uri))) as LoadedModel };
}

async function waitFor(id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getBatchScore(db(), id);
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`batch score ${id} still ${job.status} after ${timeoutMs} ms`);
    if (worker.proc.exitCode !== null) throw new Error(`the worker exited with code ${worker.proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function download(id: string) {
  const file = await batchScoreFile(db(), artifactStore(), id, "csv");
  const text = await new Response(file.body).text();
  const [header, ...lines] = text.trimEnd().split("\n").map(csvFields);
  return { file, columns: header!, rows: lines };
}

/** One CSV line's fields (quoted ones unquoted); the files here have no line breaks inside values. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      const end = line.indexOf('",', i + 1) === -1 ? line.length - 1 : line.indexOf('",', i + 1);
      field = line.slice(i + 1, end).replaceAll('""', '"');
      i = end + 1;
    } else {
      const end = line.indexOf(",", i) === -1 ? line.length : line.indexOf(",", i);
      field = line.slice(i, end);
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

const bytes = (s: string) => Buffer.from(s);
let classifier: Awaited<ReturnType<typeof train>>;
let regressor: Awaited<ReturnType<typeof train>>;

beforeAll(async () => {
  setEnv({ BATCH_SCORE_CHUNK_ROWS: "300" });
  worker = spawnWorker(services, "batch-worker");
  const [ws] = await db().insert(workspaces).values({ name: "Batch" }).returning();
  wsId = ws!.id;
  const user = await createUserWithPassword(db(), { email: "batch-owner@example.com", name: "Owner", password: "batch-test-password" });
  await db().insert(memberships).values({ workspaceId: wsId, userId: user.id, role: "owner" });
  owner = { kind: "user", userId: user.id, email: user.email, name: "Owner", isAdmin: false };

  const lines = ["x,colour,y"];
  for (let i = 0; i < 300; i++) {
    const x = ((i * 37) % 300) / 30 - 5;
    lines.push(`${x},${["red", "green", "blue"][i % 3]},${x > 0 ? "yes" : "no"}`);
  }
  classifier = await train("batch-cls", lines.join("\n"), { task: "classification" });
  await deployVersion(db(), artifactStore(), owner, wsId, "batch-cls", { modelVersionId: classifier.id });
  // Numbers only, and no missing value in training: this engine then cannot take a missing one.
  const reg = ["a,b,y"];
  for (let i = 0; i < 200; i++) reg.push(`${i % 20},${(i * 7) % 13},${(i % 20) * 2 + ((i * 7) % 13)}`);
  regressor = await train("batch-reg", reg.join("\n"), { task: "regression", engine: "ml-random-forest" });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await closeTemporalClient();
  await closeDb();
});

describe("batch scoring", () => {
  it("scores a dataset in chunks into one file, in the dataset's order, with the model's own predictions and probabilities", async () => {
    // 1,000 rows (4 chunks of 300), an ID column the model does not read, missing colours, and a
    // column already named `prediction`.
    const lines = ["id,x,colour,prediction"];
    const rows: { x: number; colour: string | null }[] = [];
    for (let i = 0; i < 1000; i++) {
      const x = Math.round((((i * 53) % 1000) / 100 - 5) * 100) / 100;
      const colour = i % 7 === 0 ? null : ["red", "green", "blue"][i % 3]!;
      rows.push({ x, colour });
      lines.push(`${i},${x},${colour ?? "NA"},old`);
    }
    const ds = await importCsv(db(), artifactStore(), wsId, "to-score", bytes(lines.join("\n")));
    const started = await startBatchScore(db(), owner, wsId, { slug: "batch-cls", datasetId: ds.id });
    expect(started.statusUrl).toBe(`/api/v1/batch-scores/${started.runId}`);

    const job = await waitFor(started.runId);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: "succeeded", rowsTotal: 1000, rowsScored: 1000, rowsFailed: 0, chunksDone: 4, chunksTotal: 4, modelVersionId: classifier.id });
    const probabilityColumns = classifier.model.file.classes!.map((c) => `probability_${String(c)}`);
    expect(job.outputColumns).toEqual(["scored_prediction", ...probabilityColumns, "scoring_error"]);

    const { file, columns, rows: out } = await download(started.runId);
    expect(file.filename).toBe("to-score-scored-batch-cls-v1.csv");
    expect(columns).toEqual(["id", "x", "colour", "prediction", "scored_prediction", ...probabilityColumns, "scoring_error"]);
    // The dataset's own columns as the CSV wrote them (`12`, not `12.0`).
    expect(out.map((r) => r[0])).toEqual(rows.map((_, i) => String(i)));
    expect(out.map((r) => r[1])).toEqual(rows.map((r) => String(r.x)));
    const expected = classifier.model.predictProba!(rows);
    out.forEach((r, i) => {
      expect(r[4]).toBe(String(expected.predictions[i]));
      classifier.model.file.classes!.forEach((c, k) => expect(Number(r[5 + k])).toBeCloseTo(expected.probabilities[i]![String(c)]!, 9));
      expect(r[7]).toBe("");
    });
    // Both classes were predicted: the check above is not satisfied by a constant.
    expect(new Set(out.map((r) => r[4]))).toEqual(new Set(classifier.model.file.classes!.map(String)));

    const listed = await listBatchScores(db(), wsId, { slug: "batch-cls" });
    expect(listed[0]).toMatchObject({ id: started.runId, status: "succeeded", downloadUrl: `/api/v1/batch-scores/${started.runId}/download` });
  }, 180_000);

  it("keeps rows the model cannot read, with the reason, and scores the rest", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 400; i++) lines.push(`${i % 5 === 0 ? "NA" : i % 20},${(i * 7) % 13}`);
    const ds = await importCsv(db(), artifactStore(), wsId, "with-gaps", bytes(lines.join("\n")));
    const { runId } = await startBatchScore(db(), owner, wsId, { modelVersionId: regressor.id, datasetId: ds.id });
    const job = await waitFor(runId);
    expect(job).toMatchObject({ status: "succeeded", rowsScored: 400, rowsFailed: 80, chunksTotal: 2 });
    const { columns, rows } = await download(runId);
    expect(columns).toEqual(["a", "b", "prediction", "scoring_error"]);
    rows.forEach((r, i) => {
      if (i % 5 === 0) {
        expect(r[2]).toBe("");
        expect(r[3]).toBe("a must be a number, not null");
      } else {
        const [want] = regressor.model.predict([{ a: i % 20, b: (i * 7) % 13 }]);
        expect(Number(r[2])).toBeCloseTo(want as number, 9);
        expect(r[3]).toBe("");
      }
    });
    // Kept for BATCH_RETENTION_DAYS after it finished (the API says until when), or until deleted.
    expect(new Date(job.keptUntil!).getTime() - job.finishedAt!.getTime()).toBe(env().BATCH_RETENTION_DAYS * 86_400_000);
    expect(await deleteBatchScore(db(), artifactStore(), owner, wsId, runId)).toMatchObject({ deleted: runId, bytesFreed: expect.any(Number) });
    await expect(getBatchScore(db(), runId)).rejects.toThrow(/not found/);
    await expect(artifactStore().getBytes(`artifact:batch/${runId}/scored.csv`)).rejects.toThrow();
    expect((await artifactStore().groups("batch")).some((g) => g.name === runId)).toBe(false);
  }, 180_000);

  it("refuses a dataset the model cannot score, naming the columns, before starting anything", async () => {
    const ds = await importCsv(db(), artifactStore(), wsId, "wrong-shape", bytes("colour,x\nred,abc\nblue,def\n"));
    const err = await startBatchScore(db(), owner, wsId, { slug: "batch-cls", datasetId: ds.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect(JSON.stringify((err as InvalidError).details)).toContain("column 'x' is a string in dataset 'wrong-shape' but the model takes a number");
    const missing = await importCsv(db(), artifactStore(), wsId, "no-x", bytes("colour\nred\n"));
    const err2 = await startBatchScore(db(), owner, wsId, { slug: "batch-cls", datasetId: missing.id }).catch((e: unknown) => e);
    expect(JSON.stringify((err2 as InvalidError).details)).toContain("column 'x' (number) the model needs is not in dataset 'no-x'");
    expect((await listBatchScores(db(), wsId)).map((j) => j.datasetName)).not.toContain("no-x");
    await expect(startBatchScore(db(), owner, wsId, { slug: "no-such-endpoint", datasetId: ds.id })).rejects.toThrow("no endpoint 'no-such-endpoint'");
  });

  it("finishes a job after its worker is SIGKILLed mid-way: every row once, in order", async () => {
    const lines = ["id,x,colour"];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},${((i * 7919) % 1000) / 100 - 5},${["red", "green", "blue"][i % 3]}`);
    const ds = await importCsv(db(), artifactStore(), wsId, "big", bytes(lines.join("\n")));
    const { runId } = await startBatchScore(db(), owner, wsId, { slug: "batch-cls", datasetId: ds.id });
    const deadline = Date.now() + 60_000;
    while ((await getBatchScore(db(), runId)).chunksDone < 3) {
      if (Date.now() > deadline) throw new Error("no chunk was scored");
      await new Promise((r) => setTimeout(r, 50));
    }
    worker.proc.kill("SIGKILL");
    await worker.exited;
    const before = await getBatchScore(db(), runId);
    expect(before.status).toBe("running");
    expect(before.chunksDone).toBeLessThan(200);
    // A running job cannot be deleted: its workflow would go on writing.
    await expect(deleteBatchScore(db(), artifactStore(), owner, wsId, runId)).rejects.toThrow(`batch score ${runId} is running: cancel it first`);
    worker = spawnWorker(services, "batch-worker-2");

    const job = await waitFor(runId, 150_000);
    expect(job).toMatchObject({ status: "succeeded", rowsScored: 60_000, rowsFailed: 0, chunksDone: 200, chunksTotal: 200 });
    const { rows } = await download(runId);
    expect(rows).toHaveLength(60_000);
    expect(rows.every((r, i) => Number(r[0]) === i)).toBe(true);
  }, 240_000);
});
