/** Every template makes its dataset once per workspace and a pipeline that compiles as it is; the cross-validation and batch-scoring ones run. */
import fs from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { datasets, endpoints, modelVersions, runNodes, workspaces } from "~/db/schema";
import type { ModelRef } from "~/lib/pipeline/plan";
import { templates } from "~/lib/templates/gallery";
import type { Child } from "~/server/launcher/children";
import { nodeOutputFile } from "~/server/runs/inspect";
import { getRun, startRun } from "~/server/runs/service";
import { startServing } from "~/server/serving/testing";
import { spawnWorker } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel } from "~/workflows/model/predictor";
import type { CvReport } from "~/workflows/nodes/cross-validate/spec";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { compilePipeline } from "../pipelines/service";
import { getPipeline } from "../pipelines/repository";
import { createFromTemplate } from "./service";

afterAll(closeDb);

const deploySlug = async (pid: string) => (await getPipeline(db(), pid))!.nodes.find((n) => n.type === "deploy-endpoint")?.config.slug;

describe("templates", () => {
  it.each(templates.map((t) => [t.id] as const))("%s compiles on its own sample dataset, made once per workspace", async (id) => {
    const [ws] = await db().insert(workspaces).values({ name: `templates ${id}` }).returning();
    const first = await createFromTemplate(db(), artifactStore(), ws!.id, id);
    const second = await createFromTemplate(db(), artifactStore(), ws!.id, id);
    expect(second.id).not.toBe(first.id);
    // One dataset for both pipelines.
    expect(await db().select().from(datasets).where(eq(datasets.workspaceId, ws!.id))).toHaveLength(1);
    const p = (await getPipeline(db(), first.id))!;
    const { errors, plan } = await compilePipeline(db(), ws!.id, p, first.id);
    expect(errors).toEqual([]);
    expect(plan?.map((n) => n.type)).toEqual(expect.arrayContaining([expect.stringMatching(/^(random-forest|cross-validate)$/)]));
    // The pipelines that deploy deploy to different endpoints.
    if (p.nodes.some((n) => n.type === "deploy-endpoint")) expect(await deploySlug(first.id)).toBe(id);
  });
});

/** The bundled CSV as rows of raw values, as a client would send them (NA is missing; numbers are numbers). */
function csvRows(file: string): Record<string, string | number | null>[] {
  const [header, ...lines] = fs.readFileSync(new URL(`./data/${file}`, import.meta.url), "utf8").trimEnd().split("\n");
  const names = header!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, j) => [names[j]!, v === "NA" || v === "" ? null : Number.isNaN(Number(v)) ? v : Number(v)])));
}

describe("templates that run", () => {
  const services = inject("services");
  let worker: Child;
  beforeAll(() => {
    worker = spawnWorker(services, "templates-worker");
  });
  afterAll(async () => {
    await worker?.stop();
    await closeTemporalClient();
  });

  async function runTemplate(id: string) {
    const [ws] = await db().insert(workspaces).values({ name: `templates run ${id}` }).returning();
    const p = await createFromTemplate(db(), artifactStore(), ws!.id, id);
    const { runId } = await startRun(db(), p.id);
    const deadline = Date.now() + 200_000;
    for (;;) {
      const run = await getRun(db(), runId);
      if (["succeeded", "failed", "cancelled"].includes(run.status)) {
        const outputs = Object.fromEntries((await db().select().from(runNodes).where(eq(runNodes.runId, runId))).map((n) => [n.nodeId, n.outputs ?? {}]));
        return { run, outputs, pipelineId: p.id };
      }
      if (Date.now() > deadline) throw new Error(`run of ${id} still ${run.status}`);
      if (worker.proc.exitCode !== null) throw new Error(`the worker exited with code ${worker.proc.exitCode}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it("breast-cancer-cv: the cross-validated forest keeps the candidate with the best mean of its fold scores; evaluate scores it and its endpoint serves it", async () => {
    const { run, outputs, pipelineId } = await runTemplate("breast-cancer-cv");
    expect(run.error).toBeNull();
    expect(run.nodes.map((n) => [n.nodeId, n.status]).sort()).toEqual(["deploy", "evaluate", "ingest", "select", "split"].map((id) => [id, "succeeded"]));

    const scores = outputs.select!.scores;
    if (scores?.kind !== "metrics") throw new Error("no CV scores");
    const report = scores.report as CvReport;
    expect(report).toMatchObject({ metric: "roc_auc", folds: 5, stratified: true });
    // The default grid: depth 4, 8, unlimited × leaf 5, 1, in that order.
    expect(report.candidates.map((c) => [c.nEstimators, c.maxDepth, c.minSamplesLeaf, c.maxFeatures])).toEqual([
      [100, 4, 5, "auto"],
      [100, 4, 1, "auto"],
      [100, 8, 5, "auto"],
      [100, 8, 1, "auto"],
      [100, 0, 5, "auto"],
      [100, 0, 1, "auto"],
    ]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const c of report.candidates) {
      expect(c.folds).toHaveLength(5);
      for (const f of c.folds) expect(f).toBeGreaterThan(0.9);
      expect(c.mean).toBeCloseTo(mean(c.folds), 12);
    }
    const best = Math.max(...report.candidates.map((c) => c.mean));
    expect(report.chosen).toBe(report.candidates.findIndex((c) => c.mean === best));
    const chosen = report.candidates[report.chosen]!;
    expect(run.metrics.cv_roc_auc).toBe(chosen.mean);
    // The run page's table marks the chosen candidate.
    const table = run.nodes.find((n) => n.nodeId === "select")!.panels.find((p) => p.kind === "table");
    if (table?.kind !== "table") throw new Error("no CV table");
    expect(table.rows.map((r) => r[0])).toEqual(report.candidates.map((_, i) => (i === report.chosen ? "chosen" : "")));
    // Evaluate scored it on the 114 held-out rows.
    expect(run.metrics.test_rows).toBe(114);
    expect(run.metrics.roc_auc).toBeGreaterThan(0.95);

    // The chosen forest, refitted, is the registered version the endpoint serves, and the endpoint answers as its file predicts.
    const model = outputs.select!.model as ModelRef;
    const file = parseModelFile(await artifactStore().getBytes(model.uri));
    if (file.engine !== "histogram") throw new Error(`a ${file.engine} model`);
    expect(file.flat.treeRoots).toHaveLength(chosen.nEstimators);
    const [version] = await db().select().from(modelVersions).where(and(eq(modelVersions.runId, run.id), eq(modelVersions.nodeId, "select")));
    expect(version!.artifactUri).toBe(model.uri);
    const slug = String(await deploySlug(pipelineId));
    expect(run.endpoints).toEqual([expect.objectContaining({ slug, modelVersion: version!.version })]);
    await db().update(endpoints).set({ access: "public" }).where(eq(endpoints.slug, slug));
    const rows = csvRows("breast-cancer.csv").slice(0, 25).map(({ diagnosis: _d, ...r }) => r);
    const serving = await startServing(db(), artifactStore());
    try {
      await serving.waitFor(slug, (s) => s.access === "public");
      const res = await serving.call(`/api/v1/endpoints/${slug}/predict`, { instances: rows });
      expect(res.status).toBe(200);
      expect(res.json.predictions).toEqual(loadModel(file).predict(rows));
    } finally {
      await serving.close();
    }
  });

  it("penguins-batch: the 2009 penguins, without their species, are scored as the model's endpoint would score them, one row out per row in", async () => {
    const { run, outputs } = await runTemplate("penguins-batch");
    expect(run.error).toBeNull();
    expect(run.status).toBe("succeeded");
    const all = csvRows("penguins.csv");
    const newest = all.filter((r) => r.year === 2009);
    expect(newest.length).toBeGreaterThan(100);
    // Trained on the other years only.
    expect(outputs.train!.model).toMatchObject({ kind: "model", target: "species" });
    expect(run.metrics.test_rows).toBe(Math.round(all.filter((r) => r.year !== 2009).length * 0.2));

    const csv = await new Response((await nodeOutputFile(db(), artifactStore(), run.id, "score", "scored", "csv")).body).text();
    const [header, ...lines] = csv.trimEnd().split("\n");
    expect(header).toBe("island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year,prediction,probability_Adelie,probability_Chinstrap,probability_Gentoo,scoring_error");
    expect(lines).toHaveLength(newest.length);
    const cells = lines.map((l) => l.split(","));
    // The rows in the table's order, untouched (the gaps in sex still gaps: filling them is the model's step).
    expect(cells.map((c) => [c[0], Number(c[1] || NaN), c[5] || null])).toEqual(newest.map((r) => [r.island, r.bill_length_mm ?? NaN, r.sex]));
    expect(newest.some((r) => r.sex === null)).toBe(true);
    // Whole numbers as the CSV wrote them: `2009`, `3750`, not `2009.0`.
    expect(cells.every((c) => c[6] === "2009")).toBe(true);
    expect(cells.map((c) => c[4])).toEqual(newest.map((r) => (r.body_mass_g === null ? "" : String(r.body_mass_g))));
    // Predictions: what serving's replay of the model gives for the same raw rows, probabilities summing to one.
    const model = loadModel(parseModelFile(await artifactStore().getBytes((outputs.train!.model as ModelRef).uri)));
    const raw = newest.map(({ species: _s, ...r }) => r);
    const expected = model.predictProba!(raw);
    expect(cells.map((c) => c[7])).toEqual(expected.predictions);
    cells.forEach((c, i) => {
      expect(Number(c[8]) + Number(c[9]) + Number(c[10])).toBeCloseTo(1, 6);
      expect(Number(c[10])).toBeCloseTo(expected.probabilities[i]!.Gentoo!, 9);
    });
    expect(cells.every((c) => c[11] === "")).toBe(true);
    // And they are mostly right: the species the table kept back.
    const right = newest.filter((r, i) => r.species === expected.predictions[i]).length;
    expect(right / newest.length).toBeGreaterThan(0.9);
    expect(run.nodes.find((n) => n.nodeId === "score")!.metrics).toEqual({ scored_rows: newest.length, unscored_rows: 0 });
  });
});
