import fs from "node:fs/promises";
import { env } from "~/lib/env";
import { UnsupportedMediaTypeError } from "~/lib/errors";
import { guarded } from "~/server/auth/guard";
import { formatOfContentType, fromQuery, importSchema } from "~/server/datasets/requests";
import { datasetName, importFileAsDataset, importUpload, listDatasets } from "~/server/datasets/service";
import { uploadIn } from "~/server/datasets/uploads";
import { datasetUploaded } from "~/server/schedules/triggers";
import { readJsonBody, saveBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const GET = guarded("read", "active", async ({ db, workspaceId }) => json({ datasets: await listDatasets(db, workspaceId) }));

/**
 * Two ways in. JSON `{upload, name, options?, columns?}` saves a staged upload (POST
 * /api/v1/uploads) with the user's choices. A file body (CSV, Parquet or JSON Lines by content
 * type) is read in one go, inference and query parameters deciding (`?name=&delimiter=&target=`).
 */
export const POST = guarded("edit", "active", async ({ req, db, workspaceId }) => {
  const type = req.headers.get("content-type") ?? "";
  if (/^application\/json\b/i.test(type)) {
    const body = importSchema.parse(await readJsonBody(req));
    const upload = await uploadIn(workspaceId, body.upload);
    const ds = await importUpload(db, artifactStore(), upload, datasetName(body.name), { options: body.options, columns: body.columns });
    datasetUploaded(db, workspaceId, ds.name);
    return json(ds, 201);
  }
  const format = formatOfContentType(type);
  if (!format) throw new UnsupportedMediaTypeError(`expected text/csv, application/vnd.apache.parquet, application/x-ndjson or application/json, got ${type || "none"}`);
  const params = new URL(req.url).searchParams;
  const name = datasetName(params.get("name"));
  const request = fromQuery(params);
  const dir = await artifactStore().scratchDir();
  try {
    const file = `${dir}/upload`;
    await saveBody(req, file, env().MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES");
    const ds = await importFileAsDataset(db, artifactStore(), workspaceId, name, file, format, request);
    // A new version of this name: pipelines with a trigger on it start now.
    datasetUploaded(db, workspaceId, ds.name);
    return json(ds, 201);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
