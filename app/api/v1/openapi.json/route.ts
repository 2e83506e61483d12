import { env } from "../../../../server/env";
import { json } from "../../../../server/http/errors";
import { platformOpenApi } from "../../../../server/rest/openapi";

export const dynamic = "force-dynamic";

export function GET() {
  return json(platformOpenApi(env().publicUrl));
}
