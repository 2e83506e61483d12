import { guarded } from "~/server/auth/guard";
import { getBatchScore } from "~/server/batch/service";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const GET = guarded<{ id: string }>("read", { kind: "batch-score", param: "id", label: "batch score" }, async ({ db, params }) => json(await getBatchScore(db, params.id)));
