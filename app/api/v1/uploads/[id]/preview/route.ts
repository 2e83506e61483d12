import fs from "node:fs/promises";
import { z } from "zod";
import { guarded } from "~/server/auth/guard";
import { optionsSchema } from "~/server/datasets/requests";
import { previewUpload, uploadIn } from "~/server/datasets/uploads";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

const body = z.object({ options: optionsSchema.optional() }).strict();

/** The preview again, read with other options (a delimiter, an encoding, missing-value tokens). */
export const POST = guarded<{ id: string }>("edit", { kind: "upload", param: "id", label: "upload" }, async ({ req, params, workspaceId }) => {
  const { options } = body.parse(await readJsonBody(req));
  const upload = await uploadIn(workspaceId, params.id);
  const dir = await artifactStore().scratchDir();
  try {
    return json(await previewUpload(upload, dir, options));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
