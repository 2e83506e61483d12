import { NotFoundError } from "~/lib/errors";
import { guarded } from "~/server/auth/guard";
import { json } from "~/server/http/errors";
import { getPipeline } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

export const GET = guarded<{ id: string }>("read", { kind: "pipeline", param: "id", label: "pipeline" }, async ({ db, params }) => {
  const p = await getPipeline(db, params.id);
  if (!p) throw new NotFoundError(`pipeline ${params.id} not found`);
  return json({
    id: p.id,
    name: p.name,
    version: p.version,
    nodes: p.nodes.map(({ id, type, config, position }) => ({ id, type, config, position })),
    edges: p.edges.map(({ source, sourceHandle, target, targetHandle }) => ({ source, sourceHandle, target, targetHandle })),
    // Only when there are some: documents from before notes read as they always did.
    ...(p.notes?.length ? { notes: p.notes.map(({ id, text, position, size }) => ({ id, text, position, size })) } : {}),
  });
});
