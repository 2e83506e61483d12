import fs from "node:fs/promises";
import { z } from "zod";
import { guarded } from "~/server/auth/guard";
import { optionsSchema } from "~/server/datasets/requests";
import { previewUpload, removeUpload, stageBody, stageUrl } from "~/server/datasets/uploads";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

const fromUrl = z.object({ url: z.string().min(1).max(2000), options: optionsSchema.optional() }).strict();

/**
 * Stages a file for a dataset and answers with its preview: the dialect found, each column's
 * inferred kind and role, and warnings. The body is the file itself (any format; `?filename=` helps
 * name it), or JSON `{url}` to download one. Save it with POST /api/v1/datasets `{upload, name, …}`.
 */
export const POST = guarded("edit", "active", async ({ req, workspaceId, principal }) => {
  const createdBy = principal.userId;
  const isJson = /^application\/json\b/i.test(req.headers.get("content-type") ?? "");
  const body = isJson ? fromUrl.parse(await readJsonBody(req)) : null;
  const filename = (new URL(req.url).searchParams.get("filename") ?? "upload").slice(0, 200);
  const upload = body ? await stageUrl(body.url, workspaceId, createdBy, req.signal) : await stageBody(req, workspaceId, createdBy, filename);
  const dir = await artifactStore().scratchDir();
  try {
    return json(await previewUpload(upload, dir, body?.options), 201);
  } catch (e) {
    // A file that cannot be read at all is not kept.
    await removeUpload(upload.id);
    throw e;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
