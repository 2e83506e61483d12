import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { listModels } from "~/server/models/service";

export const dynamic = "force-dynamic";

export const GET = guarded("read", "active", async ({ db, workspaceId }) => json({ models: await listModels(db, workspaceId) }));
