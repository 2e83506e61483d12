import { guarded } from "~/server/auth/guard";
import { cancelBatchScore } from "~/server/batch/service";
import { json } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export const POST = guarded<{ id: string }>("run", { kind: "batch-score", param: "id", label: "batch score" }, async ({ db, params }) => json(await cancelBatchScore(db, params.id)));
