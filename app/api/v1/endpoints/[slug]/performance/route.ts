import { guarded } from "~/server/auth/guard";
import { endpointPerformance } from "~/server/endpoints/service";
import { json } from "~/server/http/errors";
import { InvalidError } from "~/lib/errors";

export const dynamic = "force-dynamic";

/** Live accuracy (or RMSE) per model version from feedback; `?since=<ISO time>` narrows the window. */
export const GET = guarded<{ slug: string }>("read", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, workspaceId }) => {
  const since = new URL(req.url).searchParams.get("since");
  const at = since ? new Date(since) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new InvalidError(`since must be an ISO time, got '${since}'`);
  return json(await endpointPerformance(db, workspaceId, params.slug, at));
});
