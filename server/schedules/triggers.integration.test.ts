/**
 * Run parameters and dataset triggers on a real Temporal server and a real worker: a pipeline whose
 * dataset and tree count are parameters runs with the values chosen (the executor reads the chosen
 * dataset), refuses bad values naming them, and a trigger starts exactly one run per new version of a
 * dataset name, with that version passed in — however many processes look at once.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, pipelineTriggers, runNodes, runs } from "~/db/schema";
import { ConflictError, InvalidError } from "~/lib/errors";
import type { PipelineDocument } from "~/lib/pipeline/document";
import { demoCsv, demoPipeline } from "~/lib/templates/demo";
import type { Child } from "~/server/launcher/children";
import { spawnWorker } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { importCsv } from "../datasets/service";
import { createPipeline } from "../pipelines/repository";
import { compareRuns } from "../runs/compare";
import { getRun, resumeRun, startRun } from "../runs/service";
import { createTrigger, datasetUploaded, deleteTrigger, fireTriggers, listTriggers, setTriggerPaused } from "./triggers";

const services = inject("services");
let worker: Child;
const actor = { kind: "user" as const, userId: null as unknown as string, email: "trigger@example.com", name: "Trigger", isAdmin: false };
const noDeploy = () => {
  throw new Error("the pipeline does not deploy: the deploy right is not needed");
};

beforeAll(() => {
  worker = spawnWorker(services, "trigger-worker");
});
afterAll(async () => {
  await worker?.stop();
  await closeTemporalClient();
  await closeDb();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const finished = (runId: string) =>
  waitFor(`run ${runId}`, async () => {
    const r = await getRun(db(), runId);
    return r.status === "succeeded" || r.status === "failed" ? r : undefined;
  });
const ingestRows = async (runId: string) => {
  const [n] = await db().select().from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, "ingest")));
  return (n!.outputs!.dataset as { rows: number }).rows;
};

/** The demo without deploy and monitor, its dataset and tree count taken from parameters. */
function parametrised(datasetId: string): PipelineDocument {
  const doc = demoPipeline(datasetId);
  doc.nodes = doc.nodes.filter((n) => n.type !== "deploy-endpoint" && n.type !== "monitor-endpoint");
  doc.edges = doc.edges.filter((e) => doc.nodes.some((n) => n.id === e.target) && doc.nodes.some((n) => n.id === e.source));
  doc.parameters = [
    { name: "data", type: "dataset", default: datasetId, description: "the table to train on" },
    { name: "trees", type: "integer", default: 5, min: 1, max: 50 },
  ];
  doc.nodes.find((n) => n.id === "ingest")!.config = { datasetId: { $param: "data" } };
  doc.nodes.find((n) => n.type === "random-forest")!.config = { target: "target", nEstimators: { $param: "trees" } };
  return doc;
}

describe("run parameters", () => {
  it("runs with the values chosen, keeps them on the run, and refuses bad ones naming them", async () => {
    const small = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "params-small", Buffer.from(demoCsv(120, 1)));
    const large = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "params-large", Buffer.from(demoCsv(300, 2)));
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, { ...parametrised(small.id), name: "parametrised" });

    const byDefault = await finished((await startRun(db(), id)).runId);
    expect(byDefault.status).toBe("succeeded");
    expect(byDefault.parameters).toEqual({ data: small.id, trees: 5 });
    expect(await ingestRows(byDefault.id)).toBe(120);

    const chosen = await finished((await startRun(db(), id, { parameters: { data: large.id, trees: "9" } })).runId);
    expect(chosen.status).toBe("succeeded");
    // Text from a form or query string is read as the parameter's type.
    expect(chosen.parameters).toEqual({ data: large.id, trees: 9 });
    // The executor read the chosen dataset.
    expect(await ingestRows(chosen.id)).toBe(300);
    expect(chosen.datasetNames).toEqual({ [large.id]: "params-large" });

    // Comparing the two: the parameters side by side, and the settings as each run ran them.
    const cmp = await compareRuns(db(), DEFAULT_WORKSPACE_ID, [byDefault.id, chosen.id]);
    expect(cmp.parameters).toEqual([
      { name: "data", values: [small.id, large.id], differs: true },
      { name: "trees", values: [5, 9], differs: true },
    ]);
    expect(cmp.settings.find((s) => s.nodeId === "train" && s.field === "nEstimators")).toMatchObject({ values: [5, 9], differs: true });

    const before = (await db().select().from(runs).where(eq(runs.pipelineId, id))).length;
    const refused = await startRun(db(), id, { parameters: { trees: 51, colour: "red" } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidError);
    expect((refused as InvalidError).message).toBe("the pipeline has no parameter 'colour'");
    expect((refused as InvalidError).details.errors).toEqual([
      { nodeId: null, path: "parameters.colour", message: "the pipeline has no parameter 'colour'" },
      { nodeId: null, path: "parameters.trees", message: "parameter 'trees' must be at most 50" },
    ]);
    await expect(startRun(db(), id, { parameters: { data: "00000000-0000-4000-8000-000000000000" } })).rejects.toThrow(/\(the value of parameter 'data'\)/);
    expect((await db().select().from(runs).where(eq(runs.pipelineId, id))).length).toBe(before);

    // Resume keeps the values of the run it resumes.
    const cancelledLike = await db().update(runs).set({ status: "failed" }).where(eq(runs.id, chosen.id)).returning();
    expect(cancelledLike).toHaveLength(1);
    const resumed = await finished((await resumeRun(db(), chosen.id)).runId);
    expect(resumed.parameters).toEqual({ data: large.id, trees: 9 });
  }, 240_000);
});

describe("dataset triggers", () => {
  it("starts one run per new version of the dataset name, passing it in; pause, resume and delete", async () => {
    const name = `sales-${Date.now()}`;
    const v1 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(100, 3)));
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, { ...parametrised(v1.id), name: "retrain on new sales" });

    await expect(createTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, { datasetName: name, parameter: "trees" }, noDeploy)).rejects.toThrow(/'trees' is not a dataset parameter of the pipeline: the pipeline's dataset parameters are data/);
    // A declared dataset parameter no node reads would hand the new version to nobody.
    const unread = await createPipeline(db(), DEFAULT_WORKSPACE_ID, { ...parametrised(v1.id), name: "reads nothing new", nodes: parametrised(v1.id).nodes.map((n) => (n.id === "ingest" ? { ...n, config: { datasetId: v1.id } } : n)) });
    await expect(createTrigger(db(), actor, DEFAULT_WORKSPACE_ID, unread.id, { datasetName: name, parameter: "data" }, noDeploy)).rejects.toThrow(/no node reads parameter 'data'/);
    const t = await createTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, { datasetName: name, parameter: "data" }, noDeploy);
    await expect(createTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, { datasetName: name, parameter: "data" }, noDeploy)).rejects.toBeInstanceOf(ConflictError);
    // The version that existed before the trigger does not fire it.
    expect(await fireTriggers(db())).toEqual([]);

    // A new version: three processes looking at once start one run.
    const v2 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(160, 4)));
    await Promise.all([fireTriggers(db()), fireTriggers(db()), fireTriggers(db())]);
    const runId = await waitFor("the triggered run", async () => (await listTriggers(db(), id))[0]?.lastRunId ?? undefined);
    const run = await finished(runId);
    expect(run).toMatchObject({ status: "succeeded", triggerId: t.id, parameters: { data: v2.id, trees: 5 } });
    expect(await ingestRows(runId)).toBe(160);
    expect(await db().select().from(runs).where(eq(runs.triggerId, t.id))).toHaveLength(1);
    expect((await listTriggers(db(), id))[0]).toMatchObject({ lastDatasetId: v2.id, lastRunStatus: "succeeded", lastError: null });

    // Paused: versions uploaded meanwhile do not fire, not even on resume; the next one does.
    await setTriggerPaused(db(), actor, DEFAULT_WORKSPACE_ID, id, t.id, true);
    await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(110, 5)));
    expect(await fireTriggers(db())).toEqual([]);
    await setTriggerPaused(db(), actor, DEFAULT_WORKSPACE_ID, id, t.id, false);
    expect(await fireTriggers(db())).toEqual([]);
    const v4 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(130, 6)));
    // As the upload route does after storing a dataset.
    datasetUploaded(db(), DEFAULT_WORKSPACE_ID, name);
    const second = await waitFor("the second triggered run", async () => {
      const rows = await db().select().from(runs).where(and(eq(runs.triggerId, t.id), isNotNull(runs.parameters)));
      return rows.length === 2 ? rows.find((r) => r.id !== runId) : undefined;
    });
    expect(second.parameters).toEqual({ data: v4.id, trees: 5 });
    await finished(second.id);

    // A process that claimed v4 and died before recording its run: the sweep claims it again after two minutes.
    await db().update(pipelineTriggers).set({ lastRunId: null, lastError: null, lastFiredAt: new Date(Date.now() - 5 * 60_000) }).where(eq(pipelineTriggers.id, t.id));
    const again = await fireTriggers(db());
    expect(again).toHaveLength(1);
    expect((await getRun(db(), again[0]!.runId)).parameters).toEqual({ data: v4.id, trees: 5 });
    expect(await fireTriggers(db())).toEqual([]);
    await finished(again[0]!.runId);

    await deleteTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, t.id);
    expect(await db().select().from(pipelineTriggers).where(eq(pipelineTriggers.id, t.id))).toEqual([]);
    await expect(deleteTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, t.id)).rejects.toThrow("has no trigger");
  }, 240_000);

  it("keeps the reason on the trigger when the new version does not fit the pipeline", async () => {
    const name = `odd-${Date.now()}`;
    const v1 = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from(demoCsv(100, 7)));
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, { ...parametrised(v1.id), name: "strict" });
    await createTrigger(db(), actor, DEFAULT_WORKSPACE_ID, id, { datasetName: name, parameter: "data" }, noDeploy);
    // A version without the target column: the pipeline does not compile with it.
    await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, name, Buffer.from("a,b\n1,2\n3,4\n"));
    datasetUploaded(db(), DEFAULT_WORKSPACE_ID, name);
    const t = await waitFor("the trigger's error", async () => (await listTriggers(db(), id)).find((x) => x.lastError));
    expect(t.lastError).toMatch(/^the pipeline does not compile \(.*train: .*'target'/);
    expect(t.lastRunId).toBeNull();
  }, 60_000);
});
