import type { Db } from "~/db/client";
import { InvalidError } from "~/lib/errors";
import { newPipelineDocumentSchema, type PipelineDocument, type PipelineGraph } from "~/lib/pipeline/document";
import { compile } from "~/workflows/nodes/compile";
import { datasetColumnsMap } from "../datasets/service";
import { endpointOwners } from "../endpoints/repository";
import { createPipeline } from "./repository";

/** Compiles a graph against the datasets of its workspace and the endpoints stored now. */
export async function compilePipeline(db: Db, workspaceId: string, graph: PipelineGraph, pipelineId?: string) {
  const [datasets, owners] = await Promise.all([datasetColumnsMap(db, workspaceId), endpointOwners(db, workspaceId)]);
  return compile(graph, { datasetColumns: (id) => datasets.get(id), endpoint: (slug) => owners.get(slug), pipelineId });
}

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
