import { guarded } from "~/server/auth/guard";
import { deleteBatchScore, getBatchScore } from "~/server/batch/service";
import { json } from "~/server/http/errors";
import { artifactStore } from "~/workflows/artifacts";

export const dynamic = "force-dynamic";

const target = { kind: "batch-score", param: "id", label: "batch score" } as const;

export const GET = guarded<{ id: string }>("read", target, async ({ db, params }) => json(await getBatchScore(db, params.id)));

export const DELETE = guarded<{ id: string }>("run", target, async ({ db, params, principal, workspaceId }) => json(await deleteBatchScore(db, artifactStore(), principal, workspaceId, params.id)));
