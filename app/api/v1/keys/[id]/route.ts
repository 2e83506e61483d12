import { guarded } from "~/server/auth/guard";
import { revokeServingKey } from "~/server/endpoints/service";
import { isUuid, json } from "~/server/http/errors";
import { NotFoundError } from "~/lib/errors";

export const dynamic = "force-dynamic";

export const DELETE = guarded<{ id: string }>("deploy", "active", async ({ db, params, principal, workspaceId }) => {
  if (!isUuid(params.id)) throw new NotFoundError(`serving key ${params.id} not found`);
  await revokeServingKey(db, principal, workspaceId, params.id);
  return json({ revoked: params.id });
});
