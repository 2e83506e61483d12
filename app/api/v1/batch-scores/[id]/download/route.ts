import { InvalidError } from "~/lib/errors";
import { guarded } from "~/server/auth/guard";
import { batchScoreFile } from "~/server/batch/service";
import { fileResponse } from "~/server/http/files";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

/** The scored file, streamed: CSV (the default) or `?format=parquet`. */
export const GET = guarded<{ id: string }>("read", { kind: "batch-score", param: "id", label: "batch score" }, async ({ req, db, params }) => {
  const format = new URL(req.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "parquet") throw new InvalidError(`format must be csv or parquet, got '${format.slice(0, 40)}'`);
  return fileResponse(await batchScoreFile(db, artifactStore(), params.id, format));
});
