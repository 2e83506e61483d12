import { env } from "~/lib/env";
import { json } from "~/server/http/errors";
import { platformOpenApi } from "~/server/http/openapi";

export const dynamic = "force-dynamic";

export function GET() {
  return json(platformOpenApi(env().publicUrl));
}
