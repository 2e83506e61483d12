import fs from "node:fs/promises";
import { env } from "~/lib/env";
import { UnsupportedMediaTypeError } from "~/lib/errors";
import { guarded } from "~/server/auth/guard";
import { datasetName, importCsvFile, listDatasets } from "~/server/datasets/service";
import { saveBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const GET = guarded("read", "active", async ({ db, workspaceId }) => json({ datasets: await listDatasets(db, workspaceId) }));

/** The upload streams to a scratch file (never whole into memory), then into the data engine. */
export const POST = guarded("edit", "active", async ({ req, db, workspaceId }) => {
  const name = datasetName(new URL(req.url).searchParams.get("name"));
  const type = req.headers.get("content-type") ?? "";
  if (!/^(text\/csv|application\/csv)\b/i.test(type)) throw new UnsupportedMediaTypeError(`expected content-type text/csv, got ${type || "none"}`);
  const dir = await artifactStore().scratchDir();
  try {
    const file = `${dir}/upload.csv`;
    await saveBody(req, file, env().MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES");
    const ds = await importCsvFile(db, artifactStore(), workspaceId, name, file);
    return json({ id: ds.id, name: ds.name, rows: ds.rows, columns: ds.columns.map(({ name, type }) => ({ name, type })) }, 201);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
