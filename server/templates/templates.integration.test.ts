/** Every template makes its dataset once per workspace and a pipeline that compiles as it is. */
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { datasets, workspaces } from "~/db/schema";
import { templates } from "~/lib/templates/gallery";
import { artifactStore } from "~/workflows/artifacts";
import { compilePipeline } from "../pipelines/service";
import { getPipeline } from "../pipelines/repository";
import { createFromTemplate } from "./service";
import { eq } from "drizzle-orm";

afterAll(closeDb);

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
    expect(plan?.map((n) => n.type)).toContain("random-forest");
    // The two pipelines deploy to different endpoints.
    const slugOf = async (pid: string) => (await getPipeline(db(), pid))!.nodes.find((n) => n.type === "deploy-endpoint")!.config.slug;
    expect(await slugOf(first.id)).toBe(id);
  });
});
