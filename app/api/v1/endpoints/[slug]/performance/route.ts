import { guarded } from "~/server/auth/guard";
import { endpointPerformance } from "~/server/endpoints/service";
import { json } from "~/server/http/errors";
import { InvalidError } from "~/lib/errors";

export const dynamic = "force-dynamic";

/** Live accuracy (or RMSE) per model version from feedback; `?since=<ISO time>` narrows the window. */
export const GET = guarded<{ slug: string }>("read", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, workspaceId }) => {
  const since = new URL(req.url).searchParams.get("since");
  const at = since === null ? undefined : new Date(since);
  if (at && (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(since!))) throw new InvalidError(`since must be an ISO date-time such as 2026-11-01T00:00:00Z, got '${since}'`);
  return json(await endpointPerformance(db, workspaceId, params.slug, at));
});
