import { metricsRoute } from "~/server/auth/guard";
import { metrics } from "~/server/metrics/registry";

export const dynamic = "force-dynamic";

export const GET = metricsRoute(async () => {
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
});
