/**
 * Training/serving parity, end to end on real services: a pipeline through every node type that
 * transforms rows runs on Temporal, deploys, and then every held-out row, raw as the file has it,
 * goes through the endpoint. The endpoint must answer exactly what evaluate scored.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, endpoints, runNodes } from "~/db/schema";
import type { PipelineDocument } from "~/lib/pipeline/document";
import type { ArtifactRef } from "~/lib/pipeline/plan";
import { importCsv } from "~/server/datasets/service";
import type { Child } from "~/server/launcher/children";
import { createPipeline } from "~/server/pipelines/repository";
import { startServing } from "~/server/serving/testing";
import { spawnWorker } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { parquet, withDuck } from "~/workflows/data/duck";
import { stratifiedTestIndices } from "~/workflows/nodes/train-test-split/execute";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { getRun, startRun } from "./service";

const services = inject("services");
let worker: Child;

async function waitFor(runId: string, timeoutMs = 240_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(db(), runId);
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    if (worker.proc.exitCode !== null) throw new Error(`the worker exited with code ${worker.proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** 600 rows of the shapes people have: gaps, text categories, Yes/No, dates written day-first, ISO timestamps, an ID, counts. */
function fixtureCsv() {
  const lines = ["id,num,count,city,grade,member,day,seen,code,label"];
  for (let i = 0; i < 600; i++) {
    const num = i % 13 === 0 ? "NA" : (Math.sin(i) * 40 + (i % 7) * 3).toFixed(3);
    const count = (i * 17) % 90;
    const city = ["Lyon", "Oslo", "Lima", "Pune", "Kyiv", "Baku", ""][i % 7];
    const grade = ["A", "B", "C", "D"][(i * 5) % 4];
    const member = i % 3 === 0 ? "Yes" : "No";
    const day = `${String(1 + (i % 28)).padStart(2, "0")}/${String(1 + (i % 12)).padStart(2, "0")}/2024`;
    const seen = `2024-03-${String(1 + (i % 28)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:15:00Z`;
    const code = 100 + (i % 9);
    const score = (num === "NA" ? 0 : Number(num)) / 20 + (member === "Yes" ? 1 : 0) + (city === "Oslo" ? 1 : 0) + (i % 12 >= 6 ? 0.7 : 0) + ((i * 7919) % 13) / 13;
    const label = score > 2 ? "high" : score > 0.8 ? "mid" : "low";
    lines.push(`R${10_000 + i},${num},${count},${city},${grade},${member},${day},${seen},${code},${label}`);
  }
  return lines.join("\n") + "\n";
}

let datasetId: string;
beforeAll(async () => {
  worker = spawnWorker(services);
  datasetId = (await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "replay", Buffer.from(fixtureCsv()), { columns: { label: { role: "target" } } })).id;
});
afterAll(async () => {
  await worker?.stop();
  await closeTemporalClient();
  await closeDb();
});

function pipeline(): PipelineDocument {
  const chain: [string, string, Record<string, unknown>][] = [
    ["ingest", "csv-dataset", { datasetId }],
    ["fill", "fill-missing", { strategy: "median", textStrategy: "most_frequent" }],
    ["cast", "cast-types", { kinds: { code: "categorical" } }],
    ["clip", "clip-outliers", { columns: ["num"], lowerQuantile: 0.05, upperQuantile: 0.95 }],
    ["log", "log-transform", { columns: ["count"] }],
    ["scale", "scale", { columns: ["num"] }],
    ["bin", "bin", { columns: ["count"], bins: 6 }],
    ["onehot", "one-hot", { columns: ["city"] }],
    ["ordinal", "ordinal-encode", { columns: ["grade"] }],
    ["dates", "date-parts", { column: "day", parts: ["month", "day_of_week"] }],
    ["times", "date-parts", { column: "seen", parts: ["hour"] }],
    ["derive", "derive-column", { name: "num_x_count", expression: "num * count" }],
    ["rename", "select-columns", { mode: "drop", columns: [], rename: { member: "is_member" } }],
    ["split", "train-test-split", { testFraction: 0.2, seed: 42 }],
  ];
  const nodes = chain.map(([id, type, config], i) => ({ id, type, config, position: { x: i * 200, y: 0 } }));
  const edges = chain.slice(1).map(([id], i) => ({ source: chain[i]![0], sourceHandle: "dataset", target: id, targetHandle: "dataset" }));
  // On the train side only: target encoding (fitted out of fold on training rows; held-out rows
  // are encoded as the endpoint encodes them) and row filters (no step: an endpoint scores every row).
  const trainSide: [string, string, Record<string, unknown>][] = [
    ["target", "target-encode", { columns: ["code"] }],
    ["dedupe", "drop-duplicates", {}],
    ["keep", "filter-rows", { expression: "num > -100 or is_missing(num)" }],
    ["complete", "drop-missing", {}],
  ];
  trainSide.forEach(([id, type, config], i) => nodes.push({ id, type, config, position: { x: 3000 + i * 200, y: 0 } }));
  edges.push({ source: "split", sourceHandle: "train", target: "target", targetHandle: "dataset" });
  edges.push({ source: "target", sourceHandle: "dataset", target: "dedupe", targetHandle: "dataset" });
  edges.push({ source: "dedupe", sourceHandle: "dataset", target: "keep", targetHandle: "dataset" });
  edges.push({ source: "keep", sourceHandle: "dataset", target: "complete", targetHandle: "dataset" });
  nodes.push(
    { id: "train", type: "random-forest", config: { nEstimators: 40 }, position: { x: 3600, y: 0 } },
    { id: "evaluate", type: "evaluate", config: {}, position: { x: 3800, y: 0 } },
    { id: "deploy", type: "deploy-endpoint", config: { slug: "replay-all-nodes" }, position: { x: 4000, y: 0 } },
  );
  edges.push(
    { source: "complete", sourceHandle: "dataset", target: "train", targetHandle: "train" },
    { source: "train", sourceHandle: "model", target: "evaluate", targetHandle: "model" },
    { source: "split", sourceHandle: "test", target: "evaluate", targetHandle: "test" },
    { source: "train", sourceHandle: "final", target: "deploy", targetHandle: "model" },
  );
  return { name: "Replay every node", nodes, edges };
}

describe("training/serving parity", () => {
  it("every held-out row, raw, gets from the endpoint exactly the prediction evaluate scored", async () => {
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, pipeline());
    const run = await waitFor((await startRun(db(), id)).runId);
    expect(run.error, JSON.stringify(run.nodes.filter((n) => n.error))).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.metrics.accuracy).toBeGreaterThan(0.6);

    // The raw rows, as the dataset holds what the file wrote, and the rows the split held out.
    const node = async (nodeId: string) => (await db().select().from(runNodes).where(and(eq(runNodes.runId, run.id), eq(runNodes.nodeId, nodeId))))[0]!;
    const ingest = await node("ingest");
    const raw = ingest.outputs!.dataset as Extract<ArtifactRef, { kind: "dataset" }>;
    const rows = await withDuck(async (conn) => (await conn.runAndReadAll(`SELECT * FROM ${parquet(await artifactStore().localPath(raw.uri))}`)).getRowObjectsJS());
    const held = stratifiedTestIndices(rows.map((r) => r.label), 0.2, 42);
    const evaluated = await node("evaluate");
    const scored = JSON.parse(new TextDecoder().decode(await artifactStore().getBytes((evaluated.outputs!.metrics as { predictionsUri: string }).predictionsUri))) as string[];
    expect(scored).toHaveLength(held.length);

    const served: unknown[] = [];
    const requests = [...held].map((i) => {
      const { label: _label, ...row } = rows[i]!;
      // Booleans as the file spells them, every other row.
      return i % 2 ? { ...row, member: row.member ? "Yes" : "No" } : row;
    });
    await db().update(endpoints).set({ access: "public" }).where(eq(endpoints.slug, "replay-all-nodes"));
    const serving = await startServing(db(), artifactStore(), { listen: false });
    try {
      for (let k = 0; k < requests.length; k += 50) {
        const res = await serving.call("/api/v1/endpoints/replay-all-nodes/predict", { instances: requests.slice(k, k + 50) });
        expect(res.status).toBe(200);
        served.push(...res.json.predictions);
      }
    } finally {
      await serving.close();
    }
    expect(served).toEqual(scored);
  });
});
