/** Seeds the demo dataset and pipeline into an empty database. */
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, workspaces } from "~/db/schema";
import { DEMO_DATASET_NAME, demoCsv, demoPipeline } from "~/lib/templates/demo";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { importCsv } from "../datasets/service";
import { createPipeline } from "../pipelines/repository";

/** Seeds the demo once, on an empty database. Safe when several processes start together. */
export async function seedDemo(db: Db, artifacts: ArtifactStore): Promise<{ seeded: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(73110002)`);
    const [{ n }] = (await tx.execute(sql`select (select count(*) from pipeline) + (select count(*) from dataset) as n`)) as unknown as [
      { n: string },
    ];
    if (Number(n) > 0) return { seeded: false };
    // The demo lives in the default workspace (made by the migrations; again here on an empty database).
    await tx.insert(workspaces).values({ id: DEFAULT_WORKSPACE_ID, name: "Default" }).onConflictDoNothing();
    const ds = await importCsv(tx as unknown as Db, artifacts, DEFAULT_WORKSPACE_ID, DEMO_DATASET_NAME, Buffer.from(demoCsv()), { columns: { target: { role: "target" } } });
    await createPipeline(tx as unknown as Db, DEFAULT_WORKSPACE_ID, demoPipeline(ds.id));
    return { seeded: true };
  });
}
