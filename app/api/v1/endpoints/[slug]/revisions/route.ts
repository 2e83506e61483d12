import { guarded } from "~/server/auth/guard";
import { listRevisions } from "~/server/endpoints/service";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const GET = guarded<{ slug: string }>("read", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ db, params, workspaceId }) =>
  json(await listRevisions(db, workspaceId, params.slug)),
);
