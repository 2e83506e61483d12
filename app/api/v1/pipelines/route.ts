import { db } from "../../../../db/client";
import { handle, HttpError, json, readJson } from "../../../../server/http/errors";
import { createPipeline, listPipelines } from "../../../../server/pipelines/repository";
import { compileWithDatasets } from "../../../../server/pipelines/validate";
import { pipelineDocumentSchema } from "../../../../workflows/graph";

export const dynamic = "force-dynamic";

export const GET = handle(async () => json({ pipelines: await listPipelines(db()) }));

export const POST = handle(async (req: Request) => {
  const body = await readJson(req);
  if (body && typeof body === "object" && "id" in body) {
    throw new HttpError(400, { error: "a new pipeline has no id", errors: [{ nodeId: null, path: "id", message: "must not be set" }] });
  }
  const parsed = pipelineDocumentSchema.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const [first, index] = i.path;
      const nodeId =
        first === "nodes" && typeof index === "number" ? ((body as { nodes?: { id?: unknown }[] }).nodes?.[index]?.id ?? null) : null;
      return { nodeId: typeof nodeId === "string" ? nodeId : null, path: i.path.join("."), message: i.message };
    });
    throw new HttpError(400, { error: "invalid pipeline document", errors });
  }
  const compiled = await compileWithDatasets(db(), parsed.data);
  if (compiled.errors.length) throw new HttpError(400, { error: "the pipeline does not compile", errors: compiled.errors });
  const { id } = await createPipeline(db(), parsed.data);
  return json({ id }, 201, { location: `/api/v1/pipelines/${id}` });
});
