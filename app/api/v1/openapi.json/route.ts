import { env } from "~/lib/env";
import { publicRoute } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { platformOpenApi } from "~/server/http/openapi";

export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => json(platformOpenApi(env().publicUrl)));
