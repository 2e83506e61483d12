import { guarded } from "~/server/auth/guard";
import { keyBody } from "~/server/endpoints/requests";
import { createServingKey, listServingKeys } from "~/server/endpoints/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const GET = guarded("deploy", "active", async ({ db, workspaceId }) => json({ keys: await listServingKeys(db, workspaceId) }));

/** The key is in this response only: it is stored as a hash. */
export const POST = guarded("deploy", "active", async ({ req, db, principal, workspaceId }) => {
  const created = await createServingKey(db, principal, workspaceId, keyBody.parse(await readJsonBody(req)));
  return json(created, 201);
});
