/** "New from template": the template's dataset (imported once per workspace) and a fresh pipeline. */
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets, endpoints } from "~/db/schema";
import { NotFoundError } from "~/lib/errors";
import { slugify, uniqueSlug } from "~/lib/pipeline/endpoint";
import { findTemplate } from "~/lib/templates/gallery";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { importCsv } from "../datasets/service";
import { createPipeline } from "../pipelines/repository";

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "data");

export async function createFromTemplate(db: Db, artifacts: ArtifactStore, workspaceId: string, templateId: string) {
  const t = findTemplate(templateId);
  if (!t) throw new NotFoundError(`no template '${templateId}'`);
  const [existing] = await db
    .select({ id: datasets.id })
    .from(datasets)
    .where(and(eq(datasets.workspaceId, workspaceId), eq(datasets.name, t.dataset.name)));
  const datasetId = existing?.id ?? (await importCsv(db, artifacts, workspaceId, t.dataset.name, await fs.readFile(path.join(dataDir, t.dataset.file)), { columns: t.dataset.columns })).id;
  const taken = (await db.select({ slug: endpoints.slug }).from(endpoints)).map((e) => e.slug);
  const doc = t.pipeline(datasetId, uniqueSlug(slugify(t.id), taken));
  return createPipeline(db, workspaceId, doc);
}
