import { guarded } from "~/server/auth/guard";
import { deployBody } from "~/server/endpoints/requests";
import { deployVersion } from "~/server/endpoints/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

// The endpoint may not exist yet: the caller deploys in their active workspace.
export const POST = guarded<{ slug: string }>("deploy", "active", async ({ req, db, params, principal, workspaceId }) => {
  const body = deployBody.parse(await readJsonBody(req));
  const done = await deployVersion(db, artifactStore(), principal, workspaceId, params.slug, body);
  return json({ revision: done.revision, modelVersion: done.modelVersion }, done.created ? 201 : 200);
});
