import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, datasets, workspaces } from "~/db/schema";
import { UserError } from "~/lib/errors";
import { tempStore } from "~/workflows/artifacts/testing";
import { runExecutor } from "../testing";
import { executor } from "./execute";

const { store, cleanup } = tempStore();
afterAll(async () => {
  cleanup();
  await closeDb();
});

describe("csv-dataset on Postgres", () => {
  it("hands out the stored dataset's reference, with its columns as the endpoint's raw input", async () => {
    const columns = [{ name: "x", type: "number" as const, nullable: true }];
    const [ds] = await db()
      .insert(datasets)
      .values({ workspaceId: DEFAULT_WORKSPACE_ID, name: "d", artifactUri: "artifact:datasets/d/data.parquet", rows: 3, columns })
      .returning();
    const { outputs } = await runExecutor(store, executor, { datasetId: ds!.id }, {}, { db: db() });
    expect(outputs.dataset).toEqual({
      kind: "dataset",
      uri: "artifact:datasets/d/data.parquet",
      rows: 3,
      columns,
      lineage: { rawColumns: columns, steps: [] },
    });
    const missing = await runExecutor(store, executor, { datasetId: "00000000-0000-0000-0000-00000000abcd" }, {}, { db: db() }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    // Another workspace's dataset does not exist for this run.
    const [other] = await db().insert(workspaces).values({ name: "other" }).returning();
    const foreign = await runExecutor(store, executor, { datasetId: ds!.id }, {}, { db: db(), workspaceId: other!.id }).catch((e: unknown) => e);
    expect((foreign as Error).message).toBe(`dataset ${ds!.id} does not exist`);
  });
});
