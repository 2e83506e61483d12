import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { modelVersionsOf } from "~/server/models/service";

export const dynamic = "force-dynamic";

export const GET = guarded<{ name: string }>("read", "active", async ({ db, params, workspaceId }) => json(await modelVersionsOf(db, workspaceId, params.name)));
