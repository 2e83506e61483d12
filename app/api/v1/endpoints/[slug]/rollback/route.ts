import { guarded } from "~/server/auth/guard";
import { rollbackBody } from "~/server/endpoints/requests";
import { rollback } from "~/server/endpoints/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const POST = guarded<{ slug: string }>("deploy", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, principal, workspaceId }) =>
  json(await rollback(db, artifactStore(), principal, workspaceId, params.slug, rollbackBody.parse(await readJsonBody(req)))),
);
