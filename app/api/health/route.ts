import { checkHealth } from "~/server/health";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return json(health, health.status === "ok" ? 200 : 503);
}
