import { guarded } from "~/server/auth/guard";
import { trafficBody } from "~/server/endpoints/requests";
import { setTraffic } from "~/server/endpoints/service";
import { readJsonBody } from "~/server/http/body";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

export const PUT = guarded<{ slug: string }>("deploy", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, principal, workspaceId }) =>
  json(await setTraffic(db, artifactStore(), principal, workspaceId, params.slug, trafficBody.parse(await readJsonBody(req)))),
);
