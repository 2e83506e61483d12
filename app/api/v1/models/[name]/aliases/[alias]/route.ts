import { z } from "zod";
import { guarded } from "~/server/auth/guard";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { removeAlias, setAlias } from "~/server/models/service";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

const body = z.object({ version: z.number().int().positive().max(2_147_483_647), confirmSchemaChange: z.boolean().optional() }).strict();

/** Points the alias at a version of the model (moving it if it pointed elsewhere); endpoints following it deploy that version. */
export const PUT = guarded<{ name: string; alias: string }>("deploy", "active", async ({ req, db, params, principal, workspaceId }) => {
  const { version, confirmSchemaChange } = body.parse(await readJsonBody(req));
  return json(await setAlias(db, artifactStore(), principal, workspaceId, params.name, params.alias, version, { confirmSchemaChange }));
});

export const DELETE = guarded<{ name: string; alias: string }>("deploy", "active", async ({ db, params, principal, workspaceId }) => {
  await removeAlias(db, principal, workspaceId, params.name, params.alias);
  return json({ removed: params.alias });
});
