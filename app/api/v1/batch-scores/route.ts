import { guarded } from "~/server/auth/guard";
import { batchScoreBody, listBatchScores, startBatchScore } from "~/server/batch/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

/** The workspace's batch-scoring jobs, newest first; `?slug=` for one endpoint's. */
export const GET = guarded("read", "active", async ({ req, db, workspaceId }) => {
  const slug = new URL(req.url).searchParams.get("slug") ?? undefined;
  return json({ batchScores: await listBatchScores(db, workspaceId, { slug }) });
});

/** Starts scoring a dataset; 202 with the job's id (`runId`) and where to follow it. */
export const POST = guarded("run", "active", async ({ req, db, principal, workspaceId }) =>
  json(await startBatchScore(db, principal, workspaceId, batchScoreBody.parse(await readJsonBody(req))), 202),
);
