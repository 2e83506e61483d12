import type { Db } from "~/db/client";
import { InvalidError } from "~/lib/errors";
import { newPipelineDocumentSchema, type PipelineDocument } from "~/lib/pipeline/document";
import { compilePipeline } from "~/workflows/runs/prepare";
import { createPipeline } from "./repository";

export { compilePipeline } from "~/workflows/runs/prepare";

/** Validates a document from outside (the REST API), then stores it as a new pipeline. */
export async function createPipelineFromDocument(db: Db, workspaceId: string, body: unknown) {
  if (body && typeof body === "object" && "id" in body) {
    throw InvalidError.withProblems("a new pipeline has no id", [{ nodeId: null, path: "id", message: "must not be set" }]);
  }
  const parsed = newPipelineDocumentSchema.safeParse(body);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const [first, index] = i.path;
      const nodeId = first === "nodes" && typeof index === "number" ? (body as { nodes?: { id?: unknown }[] }).nodes?.[index]?.id : null;
      return { nodeId: typeof nodeId === "string" ? nodeId : null, path: i.path.join("."), message: i.message };
    });
    throw InvalidError.withProblems("invalid pipeline document", errors);
  }
  const doc: PipelineDocument = parsed.data;
  const compiled = await compilePipeline(db, workspaceId, doc);
  if (compiled.errors.length) throw InvalidError.withProblems("the pipeline does not compile", compiled.errors);
  return createPipeline(db, workspaceId, doc);
}
