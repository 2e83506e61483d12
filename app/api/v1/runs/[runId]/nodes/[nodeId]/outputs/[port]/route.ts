import { guarded } from "~/server/auth/guard";
import { downloadFormat, fileResponse } from "~/server/http/files";
import { nodeOutputFile } from "~/server/runs/inspect";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

/** A dataset a node produced in a run, streamed: `?format=csv` (default) or `parquet`. */
export const GET = guarded<{ runId: string; nodeId: string; port: string }>("read", { kind: "run", param: "runId", label: "run" }, async ({ req, db, params }) => {
  return fileResponse(await nodeOutputFile(db, artifactStore(), params.runId, decodeURIComponent(params.nodeId), decodeURIComponent(params.port), downloadFormat(req)));
});
