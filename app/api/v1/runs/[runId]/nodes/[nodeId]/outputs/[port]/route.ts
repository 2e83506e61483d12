import { InvalidError } from "~/lib/errors";
import { guarded } from "~/server/auth/guard";
import { fileResponse } from "~/server/http/files";
import { nodeOutputFile } from "~/server/runs/inspect";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

/** A dataset a node produced in a run, streamed: `?format=csv` (default) or `parquet`. */
export const GET = guarded<{ runId: string; nodeId: string; port: string }>("read", { kind: "run", param: "runId", label: "run" }, async ({ req, db, params }) => {
  const format = new URL(req.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "parquet") throw new InvalidError(`format must be csv or parquet, got '${format.slice(0, 40)}'`);
  return fileResponse(await nodeOutputFile(db, artifactStore(), params.runId, decodeURIComponent(params.nodeId), decodeURIComponent(params.port), format));
});
