import { guarded } from "~/server/auth/guard";
import { batchScoreFile } from "~/server/batch/service";
import { downloadFormat, fileResponse } from "~/server/http/files";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

/** The scored file, streamed: CSV (the default) or `?format=parquet`. */
export const GET = guarded<{ id: string }>("read", { kind: "batch-score", param: "id", label: "batch score" }, async ({ req, db, params }) => {
  return fileResponse(await batchScoreFile(db, artifactStore(), params.id, downloadFormat(req)));
});
