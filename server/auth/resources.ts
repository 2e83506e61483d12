/** The workspace a resource belongs to, by kind and id: what authorisation checks against. */
import { eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { batchScores, datasets, endpoints, pipelines, runs } from "~/db/schema";
import { findUpload } from "../datasets/uploads";
import { isUuid } from "../http/errors";

export type ResourceKind = "pipeline" | "run" | "dataset" | "endpoint" | "upload" | "batch-score";

export async function workspaceOfResource(db: Db, kind: ResourceKind, id: string | undefined): Promise<string | undefined> {
  if (!id) return undefined;
  if (kind === "endpoint") {
    const [row] = await db.select({ ws: endpoints.workspaceId }).from(endpoints).where(eq(endpoints.slug, id));
    return row?.ws;
  }
  if (kind === "upload") return (await findUpload(id))?.workspaceId;
  if (!isUuid(id)) return undefined;
  const table = { pipeline: pipelines, run: runs, dataset: datasets, "batch-score": batchScores }[kind];
  const [row] = await db.select({ ws: table.workspaceId }).from(table).where(eq(table.id, id));
  return row?.ws;
}
