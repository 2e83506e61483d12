import { guarded } from "~/server/auth/guard";
import { settingsBody } from "~/server/endpoints/requests";
import { setEndpointSettings } from "~/server/endpoints/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const PUT = guarded<{ slug: string }>("deploy", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, principal, workspaceId }) =>
  json(await setEndpointSettings(db, principal, workspaceId, params.slug, settingsBody.parse(await readJsonBody(req)))),
);
