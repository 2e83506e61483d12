/**
 * The registry's naming: a pipeline node's models are one registered model while their task stays
 * the same; switching the node between classification and regression starts another one.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, modelVersions, pipelines, runs } from "~/db/schema";
import type { ModelRef } from "~/lib/pipeline/plan";
import { registerModel } from "./registry";

afterAll(() => closeDb());

const model = (task: ModelRef["task"]): ModelRef => ({ kind: "model", uri: `artifact:runs/${randomUUID()}/train/model.bin`, task, target: "y", features: ["x"], signature: [] });

describe("model registry", () => {
  it("keeps a node's models of one task under one name, and starts another when the task changes", async () => {
    const name = `registry-${randomUUID().slice(0, 8)}`;
    const [p] = await db().insert(pipelines).values({ workspaceId: DEFAULT_WORKSPACE_ID, name }).returning();
    const run = async () => (await db().insert(runs).values({ workspaceId: DEFAULT_WORKSPACE_ID, pipelineId: p!.id, pipelineVersion: 1 }).returning())[0]!.id;
    const register = async (task: ModelRef["task"]) => registerModel(db(), { runId: await run(), nodeId: "train", port: "model", model: model(task) });

    const first = await register("classification");
    const second = await register("classification");
    expect([first!.name, first!.version, second!.name, second!.version]).toEqual([`${name}-train`, 1, `${name}-train`, 2]);
    const regressor = await register("regression");
    expect([regressor!.name, regressor!.version, regressor!.task]).toEqual([`${name}-train-regression`, 1, "regression"]);
    // Back to classification: the classifier's name again; regression again: its own.
    expect((await register("classification"))!).toMatchObject({ name: `${name}-train`, version: 3 });
    expect((await register("regression"))!).toMatchObject({ name: `${name}-train-regression`, version: 2 });
  });

  it("leaves a model whose versions already mix both tasks as it is, and names each task's next version apart", async () => {
    const name = `registry-${randomUUID().slice(0, 8)}`;
    const [p] = await db().insert(pipelines).values({ workspaceId: DEFAULT_WORKSPACE_ID, name }).returning();
    const run = async () => (await db().insert(runs).values({ workspaceId: DEFAULT_WORKSPACE_ID, pipelineId: p!.id, pipelineVersion: 1 }).returning())[0]!.id;
    // As registered before names were kept per task: both tasks under the node's name.
    for (const [version, task] of [[1, "classification"], [2, "regression"]] as const) {
      await db().insert(modelVersions).values({ workspaceId: DEFAULT_WORKSPACE_ID, name: `${name}-train`, version, runId: await run(), nodeId: "train", pipelineId: p!.id, artifactUri: `artifact:runs/${randomUUID()}/m.bin`, task });
    }
    const register = async (task: ModelRef["task"]) => registerModel(db(), { runId: await run(), nodeId: "train", port: "model", model: model(task) });
    expect((await register("classification"))!).toMatchObject({ name: `${name}-train-classification`, version: 1 });
    expect((await register("regression"))!).toMatchObject({ name: `${name}-train-regression`, version: 1 });
  });
});
