import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { endpointMonitoring, rangeOf } from "~/server/monitoring/service";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

/**
 * Monitoring over `?from=&to=` (ISO date-times; the last 6 hours by default, at most 31 days): per
 * model version and role, requests, failures and latency per minute, drift per feature and for
 * predictions against the training data, and the endpoint's alarms.
 */
export const GET = guarded<{ slug: string }>("read", { kind: "endpoint", param: "slug", label: "endpoint" }, async ({ req, db, params, workspaceId }) => {
  const q = new URL(req.url).searchParams;
  return json(await endpointMonitoring(db, artifactStore(), workspaceId, params.slug, rangeOf({ from: q.get("from"), to: q.get("to") })));
});
