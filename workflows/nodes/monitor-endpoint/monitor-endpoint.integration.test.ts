import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, endpoints, modelVersions } from "~/db/schema";
import { tempStore } from "~/workflows/artifacts/testing";
import { runExecutor } from "../testing";
import { executor } from "./execute";

const { store, cleanup } = tempStore();
afterAll(async () => {
  cleanup();
  await closeDb();
});

describe("monitor-endpoint on Postgres", () => {
  it("switches prediction tracking of its endpoint on and off", async () => {
    const [mv] = await db()
      .insert(modelVersions)
      .values({ workspaceId: DEFAULT_WORKSPACE_ID, name: "mon", version: 1, nodeId: "deploy", artifactUri: "artifact:m", task: "classification" })
      .returning();
    await db().insert(endpoints).values({ workspaceId: DEFAULT_WORKSPACE_ID, slug: "mon", modelVersionId: mv!.id });
    const ref = { kind: "endpoint" as const, slug: "mon", modelVersionId: mv!.id, modelVersion: 1 };
    const monitored = async () => (await db().select().from(endpoints).where(eq(endpoints.slug, "mon")))[0]!.monitored;
    await runExecutor(store, executor, {}, { endpoint: ref }, { db: db() });
    expect(await monitored()).toBe(true);
    await runExecutor(store, executor, { trackPredictions: false }, { endpoint: ref }, { db: db() });
    expect(await monitored()).toBe(false);
  });
});
