import { db } from "~/db/client";
import { NotFoundError } from "~/lib/errors";
import { handle, json, requireUuid } from "~/server/http/errors";
import { getPipeline } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

export const GET = handle(async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const p = await getPipeline(db(), requireUuid(id, "pipeline"));
  if (!p) throw new NotFoundError(`pipeline ${id} not found`);
  return json({
    id: p.id,
    name: p.name,
    version: p.version,
    nodes: p.nodes.map(({ id, type, config, position }) => ({ id, type, config, position })),
    edges: p.edges.map(({ source, sourceHandle, target, targetHandle }) => ({ source, sourceHandle, target, targetHandle })),
  });
});
