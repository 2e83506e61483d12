/** The OpenAPI 3.1 document of the platform's public REST API. */

const error = { type: "object", properties: { error: { type: "string" } }, required: ["error"] };
export const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: error } } });
export const ok = (schema: unknown, description = "OK") => ({ description, content: { "application/json": { schema } } });
const uuidParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string", format: "uuid" } });

const columnType = { type: "object", properties: { name: { type: "string" }, type: { enum: ["number", "string", "boolean"] } } };
const graphNode = {
  type: "object",
  required: ["id", "type"],
  properties: {
    id: { type: "string" },
    type: { type: "string" },
    config: { type: "object" },
    position: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } } },
  },
};
const graphEdge = {
  type: "object",
  required: ["source", "sourceHandle", "target", "targetHandle"],
  properties: { source: { type: "string" }, sourceHandle: { type: "string" }, target: { type: "string" }, targetHandle: { type: "string" } },
};
const pipelineDoc = {
  type: "object",
  required: ["name", "nodes", "edges"],
  properties: { id: { type: "string" }, name: { type: "string" }, nodes: { type: "array", items: graphNode }, edges: { type: "array", items: graphEdge } },
};
const graphErrors = {
  type: "object",
  properties: {
    error: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", properties: { nodeId: { type: ["string", "null"] }, path: { type: "string" }, message: { type: "string" } } },
    },
  },
};

export function platformOpenApi(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: { title: "Millrace API", version: "1", description: "Datasets, pipelines, runs and generated model endpoints." },
    servers: [{ url: serverUrl }],
    paths: {
      "/api/health": {
        get: {
          summary: "Readiness: database, Temporal and a worker",
          responses: { "200": ok({ type: "object" }), "503": ok({ type: "object" }, "Something is missing") },
        },
      },
      "/api/v1/datasets": {
        get: { summary: "List datasets", responses: { "200": ok({ type: "object" }) } },
        post: {
          summary: "Upload a CSV dataset",
          parameters: [{ name: "name", in: "query", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "text/csv": { schema: { type: "string" } } } },
          responses: {
            "201": ok({ type: "object", properties: { id: { type: "string" }, rows: { type: "integer" }, columns: { type: "array", items: columnType } } }, "Created"),
            "400": errorResponse("Malformed CSV; the message names the line"),
            "415": errorResponse("Not text/csv"),
          },
        },
      },
      "/api/v1/pipelines": {
        get: { summary: "List pipelines", responses: { "200": ok({ type: "object", properties: { pipelines: { type: "array" } } }) } },
        post: {
          summary: "Create a pipeline from a document",
          requestBody: { required: true, content: { "application/json": { schema: pipelineDoc } } },
          responses: { "201": ok({ type: "object", properties: { id: { type: "string" } } }, "Created"), "400": ok(graphErrors, "Invalid pipeline") },
        },
      },
      "/api/v1/pipelines/{id}": {
        get: { summary: "A pipeline's latest version", parameters: [uuidParam("id")], responses: { "200": ok(pipelineDoc), "404": errorResponse("Not found") } },
      },
      "/api/v1/pipelines/{id}/runs": {
        post: {
          summary: "Start a run of the pipeline's latest version",
          parameters: [uuidParam("id")],
          responses: { "201": ok({ type: "object", properties: { runId: { type: "string" } } }, "Started"), "400": ok(graphErrors, "Pipeline does not compile"), "404": errorResponse("Not found") },
        },
      },
      "/api/v1/runs/{runId}": {
        get: {
          summary: "A run's status, per-node status, metrics and endpoints",
          parameters: [uuidParam("runId")],
          responses: { "200": ok({ type: "object", properties: { id: { type: "string" }, status: { enum: ["queued", "running", "succeeded", "failed", "cancelled"] }, nodes: { type: "array" }, metrics: { type: "object" }, endpoints: { type: "array" } } }), "404": errorResponse("Not found") },
        },
      },
      "/api/v1/runs/{runId}/cancel": {
        post: { summary: "Cancel a queued or running run", parameters: [uuidParam("runId")], responses: { "202": ok({ type: "object" }), "404": errorResponse("Not found") } },
      },
      "/api/v1/endpoints/{slug}/predict": {
        post: {
          summary: "Predict with a deployed model (see the endpoint's own openapi.json for its input)",
          parameters: [{ name: "slug", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: { "200": ok({ type: "object" }), "400": errorResponse("Invalid input"), "404": errorResponse("No such endpoint"), "415": errorResponse("Not JSON") },
        },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain; version=0.0.4" } } } },
    },
  };
}
