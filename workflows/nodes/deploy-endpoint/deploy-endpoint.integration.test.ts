/** The deploy node on real Postgres: versions, ownership of endpoints, and input-schema changes. */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { auditEvents, DEFAULT_WORKSPACE_ID, deployments, endpoints, modelVersions, pipelines, runs, workspaces } from "~/db/schema";
import { UserError } from "~/lib/errors";
import type { ModelRef } from "~/lib/pipeline/plan";
import { tempStore } from "~/workflows/artifacts/testing";
import { executor as randomForest } from "../random-forest/execute";
import { datasetFromCsv, runExecutor } from "../testing";
import { executor } from "./execute";

const { store, cleanup } = tempStore();
afterAll(async () => {
  cleanup();
  await closeDb();
});

async function pipelineWithRun(name: string, workspaceId = DEFAULT_WORKSPACE_ID) {
  const [p] = await db().insert(pipelines).values({ workspaceId, name }).returning();
  return {
    pipelineId: p!.id,
    workspaceId,
    newRun: async () => (await db().insert(runs).values({ workspaceId, pipelineId: p!.id, pipelineVersion: 1 }).returning())[0]!.id,
  };
}

let twoColumns: ModelRef;
let threeColumns: ModelRef;
beforeAll(async () => {
  const rows = (extra: boolean) =>
    [extra ? "a,b,c,y" : "a,b,y", ...Array.from({ length: 40 }, (_, i) => `${i},${i % 3}${extra ? `,${i % 5}` : ""},${i % 2}`)].join("\n");
  const train = async (key: string, extra: boolean) =>
    (await runExecutor(store, randomForest, { target: "y", nEstimators: 3 }, { train: await datasetFromCsv(store, key, rows(extra)) }, { nodeId: key }))
      .outputs.model as ModelRef;
  twoColumns = await train("two", false);
  threeColumns = await train("three", true);
});

const deploy = (runId: string, model: ModelRef, config: Record<string, unknown>, nodeId = "deploy", workspaceId = DEFAULT_WORKSPACE_ID) =>
  runExecutor(store, executor, config, { model }, { db: db(), runId, nodeId, workspaceId });

describe("deploy-endpoint on Postgres", () => {
  it("registers versions, is idempotent per (run, node), and records who serves the endpoint", async () => {
    const a = await pipelineWithRun("A");
    const run1 = await a.newRun();
    const first = await deploy(run1, twoColumns, { slug: "owned" });
    expect(first.outputs.endpoint).toMatchObject({ kind: "endpoint", slug: "owned", modelVersion: 1 });
    // A retried activity finds its own version instead of adding one.
    expect((await deploy(run1, twoColumns, { slug: "owned" })).outputs.endpoint).toEqual(first.outputs.endpoint);
    // Another run's model (another file) is the next version; the same file again is the same version.
    const retrained: ModelRef = { ...twoColumns, uri: await store.putBytes("retrained/model.bin", await store.getBytes(twoColumns.uri)) };
    expect((await deploy(await a.newRun(), retrained, { slug: "owned" })).outputs.endpoint).toMatchObject({ modelVersion: 2 });
    expect((await deploy(await a.newRun(), retrained, { slug: "owned" })).outputs.endpoint).toMatchObject({ modelVersion: 2 });
    const [ep] = await db().select().from(endpoints).where(eq(endpoints.slug, "owned"));
    expect(ep?.pipelineId).toBe(a.pipelineId);
    const [v1] = await db().select().from(modelVersions).where(eq(modelVersions.runId, run1));
    // The histogram forest handles a missing value itself: null is accepted for both.
    expect(v1?.inputSchema).toEqual([
      { name: "a", type: "number", nullable: true },
      { name: "b", type: "number", nullable: true },
    ]);
    expect(await db().select().from(deployments).where(eq(deployments.endpointId, ep!.id))).toHaveLength(3);
  });

  it("refuses an endpoint another pipeline serves until told to take it over, then moves it", async () => {
    const a = await pipelineWithRun("Churn");
    const b = await pipelineWithRun("Newcomer");
    await deploy(await a.newRun(), twoColumns, { slug: "contested" });
    const refused = await deploy(await b.newRun(), twoColumns, { slug: "contested" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe("endpoint 'contested' is served by pipeline 'Churn'; choose another slug or tick 'Take over the endpoint'");
    const [before] = await db().select().from(endpoints).where(eq(endpoints.slug, "contested"));
    expect(before?.pipelineId).toBe(a.pipelineId);

    const taken = await deploy(await b.newRun(), twoColumns, { slug: "contested", takeOver: true });
    // The refused run registered this file as the newcomer's version 1: deployed again, it is that version.
    expect(taken.outputs.endpoint).toMatchObject({ modelVersion: 1 });
    const [after] = await db().select().from(endpoints).where(eq(endpoints.slug, "contested"));
    expect(after?.pipelineId).toBe(b.pipelineId);
    // Each deployment is in the audit log, with what it replaced.
    const audit = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "deploy"), eq(auditEvents.target, "contested")));
    expect(audit.map((a) => a.details?.takeOver)).toEqual([false, true]);
  });

  it("never takes over another workspace's endpoint, even when told to", async () => {
    await deploy(await (await pipelineWithRun("Home")).newRun(), twoColumns, { slug: "homeland" });
    const [ws] = await db().insert(workspaces).values({ name: "Elsewhere" }).returning();
    const other = await pipelineWithRun("Intruder", ws!.id);
    const refused = await deploy(await other.newRun(), twoColumns, { slug: "homeland", takeOver: true }, "deploy", ws!.id).catch((e: unknown) => e);
    expect((refused as Error).message).toBe("endpoint 'homeland' belongs to another workspace; choose another slug");
  });

  it("refuses a model whose input would break the endpoint's callers, naming the fields, unless confirmed", async () => {
    const a = await pipelineWithRun("Schema");
    await deploy(await a.newRun(), twoColumns, { slug: "schema" });
    const refused = await deploy(await a.newRun(), threeColumns, { slug: "schema" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe(
      "deploying would change what endpoint 'schema' accepts or answers ('c' (number) is new and required); tick 'Take over the endpoint' to deploy anyway",
    );
    const ok = await deploy(await a.newRun(), threeColumns, { slug: "schema", takeOver: true });
    // Every model a run produced is a version, the refused run's included (v2); the same file deployed again is that version.
    expect(ok.outputs.endpoint).toMatchObject({ modelVersion: 2 });
    const [served] = await db().select({ modelVersionId: endpoints.modelVersionId }).from(endpoints).where(eq(endpoints.slug, "schema"));
    expect(served?.modelVersionId).toBe((ok.outputs.endpoint as { modelVersionId: string }).modelVersionId);
  });

  it("refuses a model that would answer numbers where callers get classes, unless confirmed", async () => {
    const a = await pipelineWithRun("Task");
    await deploy(await a.newRun(), twoColumns, { slug: "task-change" });
    const regressor: ModelRef = { ...twoColumns, task: "regression" };
    const refused = await deploy(await a.newRun(), regressor, { slug: "task-change" }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain("its predictions change from classes to numbers");
  });
});
