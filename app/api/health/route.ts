import { publicRoute } from "~/server/auth/guard";
import { checkHealth } from "~/server/health";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => {
  const health = await checkHealth();
  return json(health, health.status === "ok" ? 200 : 503);
});
