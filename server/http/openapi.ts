/** The OpenAPI 3.1 document of the platform's public REST API. */
import { z } from "zod";
import { columnKinds, columnRoles, newPipelineDocumentSchema } from "~/lib/pipeline/document";
import { encodings } from "~/lib/pipeline/ingest";
import { apiRoutes, type RoutePolicy } from "./routes";

const error = { type: "object", properties: { error: { type: "string" } }, required: ["error"] };
export const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: error } } });
export const ok = (schema: unknown, description = "OK") => ({ description, content: { "application/json": { schema } } });
const uuidParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string", format: "uuid" } });

const columnType = {
  type: "object",
  properties: {
    name: { type: "string" },
    type: { enum: ["number", "string", "boolean"] },
    kind: { enum: [...columnKinds] },
    role: { enum: [...columnRoles] },
    nullable: { type: "boolean" },
  },
};
const csvOptions = {
  type: "object",
  additionalProperties: false,
  properties: {
    encoding: { enum: [...encodings] },
    delimiter: { type: "string", minLength: 1, maxLength: 1 },
    quote: { type: "string", minLength: 1, maxLength: 1 },
    header: { type: "boolean" },
    decimal: { enum: [".", ","] },
    missing: { type: "array", maxItems: 50, items: { type: "string", maxLength: 50 } },
  },
};
const importRequest = {
  type: "object",
  required: ["upload", "name"],
  additionalProperties: false,
  properties: {
    upload: { type: "string", format: "uuid" },
    name: { type: "string", minLength: 1, maxLength: 200 },
    options: csvOptions,
    columns: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { kind: { enum: [...columnKinds] }, role: { enum: [...columnRoles] }, rename: { type: "string", maxLength: 200 }, format: { type: "string", minLength: 1, maxLength: 50 } },
      },
    },
  },
};
const preview = {
  type: "object",
  properties: {
    upload: { type: "object", properties: { id: { type: "string", format: "uuid" }, filename: { type: "string" }, format: { enum: ["csv", "parquet", "jsonl"] } } },
    format: { enum: ["csv", "parquet", "jsonl"] },
    dialect: { type: "object" },
    columns: { type: "array", items: columnType },
    warnings: { type: "array", items: { type: "object", properties: { code: { type: "string" }, column: { type: "string" }, message: { type: "string" } } } },
  },
};
/** The pipeline document as the API accepts it, from the same zod schema that validates it. */
const newPipeline = (() => {
  const { $schema: _s, ...schema } = z.toJSONSchema(newPipelineDocumentSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return schema;
})();
const storedPipeline = {
  type: "object",
  required: ["id", "name", "version", "nodes", "edges"],
  properties: { id: { type: "string", format: "uuid" }, version: { type: "integer" }, ...(newPipeline.properties as object) },
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

/** The error statuses operations answer, each with the same JSON body. */
const errorStatuses = {
  "400": "Invalid input; the message (and `errors` or `details`) names each problem",
  "401": "No valid credentials: sign in, or send `Authorization: Bearer <token>`",
  "403": "The caller's role or token scopes do not allow this, in this workspace",
  "404": "Not found",
  "413": "The body is larger than the configured limit",
  "409": "Conflict: the change would break callers (confirm it) or the state moved on",
  "415": "Wrong content type",
  "429": "Rate limit spent; retry after `Retry-After` seconds",
  "503": "The database or Temporal is unavailable",
} as const;
const errors = (...codes: (keyof typeof errorStatuses)[]) => Object.fromEntries(codes.map((c) => [c, errorResponse(errorStatuses[c])]));

/** What an operation's policy (server/http/routes.ts) adds to it: who may call it, and the refusals. */
function secured(policy: RoutePolicy | undefined) {
  if (!policy || policy === "public" || policy === "per-procedure") return {};
  const security = [{ bearerToken: [] }, { session: [] }];
  if (policy === "signed-in") return { security, responses: errors("401") };
  return { security, "x-millrace-action": policy, responses: errors("401", "403") };
}

export function platformOpenApi(serverUrl: string) {
  const doc = platformPaths(serverUrl);
  for (const route of apiRoutes.filter((r) => r.public)) {
    const ops = doc.paths[route.path as keyof typeof doc.paths] as Record<string, { responses: object; security?: unknown }>;
    for (const [method, policy] of Object.entries(route.methods)) {
      const op = ops[method.toLowerCase()];
      if (!op) continue;
      const { responses, ...rest } = secured(policy);
      Object.assign(op, rest);
      op.responses = { ...op.responses, ...responses };
    }
  }
  return doc;
}

const trigger = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    datasetName: { type: "string" },
    parameter: { type: ["string", "null"] },
    paused: { type: "boolean" },
    lastDatasetId: { type: ["string", "null"], description: "The newest dataset version it fired for" },
    lastRunId: { type: ["string", "null"] },
    lastRunStatus: { type: ["string", "null"] },
    lastFiredAt: { type: ["string", "null"], format: "date-time" },
    lastError: { type: ["string", "null"], description: "Why the last firing started no run" },
  },
};

const schedule = {
  type: "object",
  properties: {
    id: { type: "string" },
    cron: { type: "string" },
    timezone: { type: "string" },
    paused: { type: "boolean" },
    note: { type: ["string", "null"] },
    nextRuns: { type: "array", items: { type: "string", format: "date-time" } },
    recent: { type: "array", items: { type: "object" } },
  },
};

function platformPaths(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Millrace API",
      version: "1",
      description:
        "Datasets, pipelines, runs and generated model endpoints. Errors are JSON `{error, …details}`. Any method a path does not list is answered 405 with `Allow`; a cross-site browser request that changes state is answered 403. Authenticate with `Authorization: Bearer <token>` (a personal or workspace API token; the first start writes one to `.data/admin-token`) or a signed-in session; a request acts in the caller's first workspace unless `X-Millrace-Workspace: <id>` names another. `x-millrace-action` on an operation is the permission it needs (read, edit, run, deploy, manage).",
    },
    components: {
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "A Millrace API token (`mr_…`), personal or workspace, with scopes read, run, deploy, admin" },
        session: { type: "apiKey", in: "cookie", name: "millrace.session_token", description: "The session cookie of a signed-in browser" },
        metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, when the server sets one" },
        servingKey: { type: "http", scheme: "bearer", description: "A serving key (`mrk_…`) for calling endpoints; public endpoints need none" },
      },
    },
    servers: [{ url: serverUrl }],
    paths: {
      "/api/health": {
        get: {
          operationId: "health",
          summary: "Readiness: database, Temporal and a worker",
          responses: { "200": ok({ type: "object" }), "503": ok({ type: "object" }, "Something is missing; `missing` names it") },
        },
      },
      "/api/v1/me": {
        get: {
          operationId: "me",
          summary: "Who the caller is (a user, or a token with its scopes) and its workspaces with its role in each",
          responses: { "200": ok({ type: "object", properties: { kind: { enum: ["user", "token"] }, workspaces: { type: "array" } } }), ...errors("503") },
        },
      },
      "/api/v1/datasets": {
        get: { operationId: "listDatasets", summary: "List datasets", responses: { "200": ok({ type: "object" }), ...errors("503") } },
        post: {
          operationId: "createDataset",
          summary:
            "Create a dataset: JSON `{upload, name, options?, columns?}` saves a staged upload with your choices; a file body (CSV, Parquet, JSON Lines by content type) is read in one go with query parameters",
          parameters: [
            { name: "name", in: "query", required: false, description: "required with a file body", schema: { type: "string", minLength: 1, maxLength: 200 } },
            { name: "delimiter", in: "query", schema: { type: "string", maxLength: 3 } },
            { name: "encoding", in: "query", schema: { type: "string", maxLength: 20 } },
            { name: "header", in: "query", schema: { enum: ["true", "false"] } },
            { name: "decimal", in: "query", schema: { enum: [".", ","] } },
            { name: "missing", in: "query", description: "comma-separated missing-value tokens", schema: { type: "string", maxLength: 500 } },
            { name: "target", in: "query", schema: { type: "string", maxLength: 200 } },
            { name: "ignore", in: "query", schema: { type: "string", maxLength: 2000 } },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: importRequest },
              "text/csv": { schema: { type: "string", format: "binary" } },
              "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } },
              "application/x-ndjson": { schema: { type: "string", format: "binary" } },
            },
          },
          responses: {
            "201": ok({ type: "object", properties: { id: { type: "string" }, rows: { type: "integer" }, columns: { type: "array", items: columnType } } }, "Created"),
            ...errors("400", "404", "413", "415", "503"),
          },
        },
      },
      "/api/v1/uploads": {
        post: {
          operationId: "stageUpload",
          summary: "Stage a file (the body, any format; or JSON `{url}` to download one over https) and get its preview: dialect, inferred kinds and roles, warnings",
          parameters: [{ name: "filename", in: "query", schema: { type: "string", maxLength: 200 } }],
          requestBody: {
            required: true,
            content: {
              "application/octet-stream": { schema: { type: "string", format: "binary" } },
              "text/csv": { schema: { type: "string", format: "binary" } },
              "application/json": { schema: { type: "object", required: ["url"], properties: { url: { type: "string", maxLength: 2000 }, options: csvOptions }, additionalProperties: false } },
            },
          },
          responses: {
            "201": { ...ok(preview, "Staged"), links: { Preview: { operationId: "previewUpload", parameters: { id: "$response.body#/upload/id" } } } },
            ...errors("400", "413", "415", "503"),
          },
        },
      },
      "/api/v1/uploads/{id}/preview": {
        post: {
          operationId: "previewUpload",
          summary: "The staged upload's preview again, read with other options",
          parameters: [uuidParam("id")],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { options: csvOptions }, additionalProperties: false } } } },
          responses: { "200": ok(preview), ...errors("400", "404", "413", "415", "503") },
        },
      },
      "/api/v1/pipelines": {
        get: { operationId: "listPipelines", summary: "List pipelines", responses: { "200": ok({ type: "object", properties: { pipelines: { type: "array" } } }), ...errors("503") } },
        post: {
          operationId: "createPipeline",
          summary: "Create a pipeline from a document",
          requestBody: { required: true, content: { "application/json": { schema: newPipeline } } },
          responses: {
            "201": {
              ...ok({ type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } }, "Created"),
              links: {
                GetPipeline: { operationId: "getPipeline", parameters: { id: "$response.body#/id" } },
                StartRun: { operationId: "startRun", parameters: { id: "$response.body#/id" } },
              },
            },
            "400": ok(graphErrors, "Invalid pipeline"),
            ...errors("413", "415", "503"),
          },
        },
      },
      "/api/v1/pipelines/{id}": {
        get: { operationId: "getPipeline", summary: "A pipeline's latest version", parameters: [uuidParam("id")], responses: { "200": ok(storedPipeline), ...errors("404", "503") } },
      },
      "/api/v1/pipelines/{id}/runs": {
        post: {
          operationId: "startRun",
          summary:
            "Start a run of the pipeline's latest version with the parameter values given (the others take their defaults); nodes whose type, config and inputs match an earlier run's are reused unless the body says ignoreCache",
          parameters: [uuidParam("id")],
          requestBody: {
            required: false,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  additionalProperties: false,
                  properties: {
                    ignoreCache: { type: "boolean" },
                    parameters: {
                      type: "object",
                      description: "Values for the pipeline's declared parameters, by name; a value of the wrong type, outside its range or for an undeclared name is a 400 naming it",
                      propertyNames: { maxLength: 64 },
                      additionalProperties: { oneOf: [{ type: "number" }, { type: "string", maxLength: 10000 }, { type: "boolean" }] },
                    },
                  },
                },
              },
            },
          },
          responses: {
            "201": {
              ...ok({ type: "object", required: ["runId"], properties: { runId: { type: "string", format: "uuid" } } }, "Started"),
              links: {
                GetRun: { operationId: "getRun", parameters: { runId: "$response.body#/runId" } },
                CancelRun: { operationId: "cancelRun", parameters: { runId: "$response.body#/runId" } },
              },
            },
            "400": ok(graphErrors, "Pipeline does not compile"),
            ...errors("404", "413", "415", "503"),
          },
        },
      },
      "/api/v1/runs/{runId}": {
        get: {
          operationId: "getRun",
          summary: "A run's status, per-node status, metrics and endpoints",
          parameters: [uuidParam("runId")],
          responses: {
            "200": ok({
              type: "object",
              properties: {
                id: { type: "string" },
                status: { enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
                parameters: { type: ["object", "null"], description: "Every declared parameter's value in this run" },
                nodes: { type: "array" },
                metrics: { type: "object" },
                endpoints: { type: "array" },
              },
            }),
            ...errors("404", "503"),
          },
        },
      },
      "/api/v1/pipelines/{id}/schedules": {
        get: { operationId: "listSchedules", summary: "The pipeline's cron schedules: cron, timezone, paused, next run times, recent runs", parameters: [uuidParam("id")], responses: { "200": ok({ type: "object", properties: { schedules: { type: "array", items: schedule } } }), ...errors("404", "503") } },
        post: {
          operationId: "createSchedule",
          summary: "A cron schedule (Temporal Schedule): each time starts a run of the pipeline's latest version; a run still going makes the next skip",
          parameters: [uuidParam("id")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { type: "object", required: ["cron"], additionalProperties: false, properties: { cron: { type: "string", examples: ["0 6 * * *", "@daily"] }, timezone: { type: "string", default: "UTC" }, note: { type: "string", maxLength: 200 } } },
              },
            },
          },
          responses: { "201": ok(schedule, "Created"), ...errors("400", "404", "415", "503") },
        },
      },
      "/api/v1/pipelines/{id}/schedules/{scheduleId}": {
        delete: { operationId: "deleteSchedule", summary: "Delete a schedule", parameters: [uuidParam("id"), { name: "scheduleId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": ok({ type: "object" }), ...errors("400", "404", "503") } },
      },
      "/api/v1/pipelines/{id}/schedules/{scheduleId}/pause": {
        post: { operationId: "pauseSchedule", summary: "Pause a schedule", parameters: [uuidParam("id"), { name: "scheduleId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": ok(schedule), ...errors("400", "404", "503") } },
      },
      "/api/v1/pipelines/{id}/schedules/{scheduleId}/resume": {
        post: { operationId: "resumeSchedule", summary: "Resume a paused schedule", parameters: [uuidParam("id"), { name: "scheduleId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": ok(schedule), ...errors("400", "404", "503") } },
      },
      "/api/v1/pipelines/{id}/triggers": {
        get: { operationId: "listTriggers", summary: "The pipeline's dataset triggers, with what each last started", parameters: [uuidParam("id")], responses: { "200": ok({ type: "object", properties: { triggers: { type: "array", items: trigger } } }), ...errors("404", "503") } },
        post: {
          operationId: "createTrigger",
          summary: "A trigger: each new version of the named dataset (an upload under that name) starts a run of the pipeline's latest version, the new dataset passed as the named dataset parameter",
          parameters: [uuidParam("id")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { type: "object", required: ["datasetName", "parameter"], additionalProperties: false, properties: { datasetName: { type: "string", minLength: 1, maxLength: 200 }, parameter: { type: "string", minLength: 1, maxLength: 64, description: "the dataset parameter that receives the new version (a node must read it)" } } },
              },
            },
          },
          responses: { "201": ok(trigger, "Created"), ...errors("400", "404", "409", "415", "503") },
        },
      },
      "/api/v1/pipelines/{id}/triggers/{triggerId}": {
        put: {
          operationId: "updateTrigger",
          summary: "Pause or resume a trigger (a resumed trigger starts from now)",
          parameters: [uuidParam("id"), uuidParam("triggerId")],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["paused"], additionalProperties: false, properties: { paused: { type: "boolean" } } } } } },
          responses: { "200": ok(trigger), ...errors("400", "404", "415", "503") },
        },
        delete: { operationId: "deleteTrigger", summary: "Delete a trigger", parameters: [uuidParam("id"), uuidParam("triggerId")], responses: { "200": ok({ type: "object" }), ...errors("400", "404", "503") } },
      },
      "/api/v1/runs/{runId}/cancel": {
        post: { operationId: "cancelRun", summary: "Cancel a queued or running run", parameters: [uuidParam("runId")], responses: { "202": ok({ type: "object" }), ...errors("404", "415", "503") } },
      },
      "/api/v1/runs/{runId}/nodes/{nodeId}/outputs/{port}": {
        get: {
          operationId: "nodeOutput",
          summary: "A dataset a node produced in this run, as a file (streamed)",
          parameters: [
            uuidParam("runId"),
            { name: "nodeId", in: "path", required: true, schema: { type: "string" } },
            { name: "port", in: "path", required: true, schema: { type: "string" } },
            { name: "format", in: "query", required: false, schema: { enum: ["csv", "parquet"], default: "csv" } },
          ],
          responses: {
            "200": { description: "The file", content: { "text/csv": { schema: { type: "string" } }, "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } } } },
            ...errors("400", "404", "409"),
          },
        },
      },
      ...servingPaths(),
      ...operatingPaths(),
      "/api/v1/openapi.json": { get: { operationId: "openApi", summary: "This document", responses: { "200": ok({ type: "object" }) } } },
      "/metrics": { get: { operationId: "metrics", summary: "Prometheus metrics", security: [{}, { metricsToken: [] }], responses: { "200": { description: "text/plain; version=0.0.4" }, ...errors("401") } } },
    },
  };
}

/**
 * The serving runtime's routes (server/serving/http.ts), generically: each endpoint's own
 * openapi.json describes its input and output exactly.
 */
function servingPaths() {
  const slug = [{ name: "slug", in: "path", required: true, schema: { type: "string" } }];
  const name = [{ name: "name", in: "path", required: true, description: "The endpoint's slug", schema: { type: "string" } }];
  const version = [...name, { name: "version", in: "path", required: true, description: "A model version the endpoint serves", schema: { type: "string" } }];
  const keyed = { security: [{}, { servingKey: [] }] };
  const body = { required: true, content: { "application/json": { schema: { type: "object" } } } };
  const scoring = { "200": ok({ type: "object" }), ...errors("400", "401", "403", "404", "413", "415", "429", "503") };
  const meta = { "200": ok({ type: "object" }), ...errors("401", "403", "404", "503") };
  return {
    "/api/v1/endpoints/{slug}/predict": {
      post: { operationId: "predict", summary: "Predict (Millrace's format: one object or {instances: [...]})", ...keyed, parameters: slug, requestBody: body, responses: scoring },
    },
    "/api/v1/endpoints/{slug}/invocations": {
      post: { operationId: "invocations", summary: "Predict (MLflow scoring format: dataframe_split, dataframe_records, instances or inputs)", ...keyed, parameters: slug, requestBody: body, responses: scoring },
    },
    "/api/v1/endpoints/{slug}/feedback": {
      post: { operationId: "feedback", summary: "Ground truth for earlier predictions ({requestId, label, index?} or {feedback: [...]}; needs a serving key)", security: [{ servingKey: [] }], parameters: slug, requestBody: body, responses: scoring },
    },
    "/api/v1/endpoints/{slug}/openapi.json": {
      get: { operationId: "endpointOpenApi", summary: "The endpoint's own OpenAPI document: its input and output schema in each protocol", ...keyed, parameters: slug, responses: meta },
    },
    "/v2": { get: { operationId: "oipServerMetadata", summary: "Open Inference Protocol: server metadata", responses: { "200": ok({ type: "object" }) } } },
    "/v2/health/live": { get: { operationId: "oipLive", summary: "Open Inference Protocol: liveness", responses: { "200": ok({ type: "object" }) } } },
    "/v2/health/ready": { get: { operationId: "oipReady", summary: "Open Inference Protocol: readiness (endpoints loaded)", responses: { "200": ok({ type: "object" }), ...errors("503") } } },
    "/v2/models/{name}": { get: { operationId: "oipModelMetadata", summary: "Open Inference Protocol: model metadata (inputs, outputs, versions)", ...keyed, parameters: name, responses: meta } },
    "/v2/models/{name}/ready": { get: { operationId: "oipModelReady", summary: "Open Inference Protocol: model readiness", ...keyed, parameters: name, responses: meta } },
    "/v2/models/{name}/infer": { post: { operationId: "oipInfer", summary: "Open Inference Protocol: inference (one input tensor per column)", ...keyed, parameters: name, requestBody: body, responses: scoring } },
    "/v2/models/{name}/versions/{version}": { get: { operationId: "oipVersionMetadata", summary: "Open Inference Protocol: metadata of one served version", ...keyed, parameters: version, responses: meta } },
    "/v2/models/{name}/versions/{version}/ready": { get: { operationId: "oipVersionReady", summary: "Open Inference Protocol: readiness of one served version", ...keyed, parameters: version, responses: meta } },
    "/v2/models/{name}/versions/{version}/infer": {
      post: { operationId: "oipVersionInfer", summary: "Open Inference Protocol: inference on one served version (bypasses the traffic split)", ...keyed, parameters: version, requestBody: body, responses: scoring },
    },
  };
}

const batchScore = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    status: { enum: ["queued", "running", "succeeded", "failed", "cancelled"] },
    endpointSlug: { type: ["string", "null"] },
    modelVersionId: { type: "string", format: "uuid" },
    model: { type: "string" },
    version: { type: "integer" },
    datasetName: { type: "string" },
    rowsTotal: { type: "integer" },
    rowsScored: { type: "integer" },
    rowsFailed: { type: "integer", description: "Rows not scored (their reason is in the file's scoring_error column)" },
    chunksDone: { type: "integer" },
    chunksTotal: { type: "integer" },
    outputColumns: { type: ["array", "null"], items: { type: "string" } },
    error: { type: ["string", "null"] },
    downloadUrl: { type: ["string", "null"] },
    keptUntil: { type: ["string", "null"], format: "date-time", description: "When the finished job and its file are deleted (BATCH_RETENTION_DAYS); null: kept until deleted" },
  },
};

/** Operating endpoints: deploy, revisions, rollback, traffic, settings, live scores, serving keys, batch scoring. */
function operatingPaths() {
  const slug = [{ name: "slug", in: "path", required: true, schema: { type: "string" } }];
  const body = (schema: object) => ({ required: true, content: { "application/json": { schema } } });
  const confirm = { confirmSchemaChange: { type: "boolean", description: "Go ahead although callers' input or the kind of prediction changes (otherwise 409 naming what breaks)" } };
  const guardrail = {
    type: "object",
    additionalProperties: false,
    description: "Turns the variant into a shadow once it is confidently worse than a bound since the split went live",
    properties: {
      minAccuracy: { type: "number", minimum: 0, maximum: 1, description: "From feedback: stop when accuracy's 95% interval is entirely below" },
      maxRmse: { type: "number", exclusiveMinimum: 0, description: "From feedback: stop when RMSE is above" },
      minLabelled: { type: "integer", minimum: 1, description: "Labels needed before judging (default 50)" },
      maxErrorRate: { type: "number", minimum: 0, maximum: 1, description: "From its traffic: stop when the 95% interval of its share of failed requests is entirely above" },
      maxP99Ms: { type: "number", exclusiveMinimum: 0, description: "From its traffic: stop when its p99 scoring latency is above" },
      minRequests: { type: "integer", minimum: 10, description: "Requests needed before judging error rate and latency (default 100)" },
    },
  };
  const variant = {
    type: "object",
    required: ["modelVersionId", "weight"],
    properties: { modelVersionId: { type: "string", format: "uuid" }, weight: { type: "number", minimum: 0 }, shadow: { type: "boolean" }, guardrail },
  };
  return {
    "/api/v1/endpoints": {
      get: {
        operationId: "listEndpoints",
        summary: "The workspace's endpoints: slug, URL, access, live revision, the model version served (id, name, version) and any traffic split",
        responses: { "200": ok({ type: "object", properties: { endpoints: { type: "array", items: { type: "object" } } } }) },
      },
    },
    "/api/v1/endpoints/{slug}/deploy": {
      post: {
        operationId: "deploy",
        summary: "Serve a model version at this slug (a new revision; creates a private endpoint if the slug is new). Deployed by a model's alias, the endpoint follows it: each move of the alias deploys the version it then names",
        parameters: slug,
        requestBody: body({
          type: "object",
          additionalProperties: false,
          properties: {
            modelVersionId: { type: "string", format: "uuid" },
            model: { type: "string", description: "A registered model's name (with alias)" },
            alias: { type: "string", description: "An alias of that model, e.g. champion" },
            ...confirm,
          },
          oneOf: [{ required: ["modelVersionId"] }, { required: ["model", "alias"] }],
        }),
        responses: { "200": ok({ type: "object", properties: { revision: { type: "integer" }, modelVersion: { type: "object" } } }), "201": ok({ type: "object" }, "Created the endpoint"), ...errors("400", "404", "409", "415") },
      },
    },
    "/api/v1/endpoints/{slug}/revisions": {
      get: { operationId: "revisions", summary: "The endpoint's revision history, newest first, and which is live", parameters: slug, responses: { "200": ok({ type: "object" }), ...errors("404") } },
    },
    "/api/v1/endpoints/{slug}/rollback": {
      post: {
        operationId: "rollback",
        summary: "Serve again what an earlier revision served (as a new revision)",
        parameters: slug,
        requestBody: body({ type: "object", required: ["revision"], properties: { revision: { type: "integer", minimum: 1 }, ...confirm } }),
        responses: { "200": ok({ type: "object" }), ...errors("400", "404", "409", "415") },
      },
    },
    "/api/v1/endpoints/{slug}/traffic": {
      put: {
        operationId: "traffic",
        summary: "Split traffic between model versions (A/B, weights normalised) with optional shadows",
        parameters: slug,
        requestBody: body({ type: "object", required: ["variants"], properties: { variants: { type: "array", minItems: 1, maxItems: 10, items: variant }, ...confirm } }),
        responses: { "200": ok({ type: "object" }), ...errors("400", "404", "409", "415") },
      },
    },
    "/api/v1/endpoints/{slug}/settings": {
      put: {
        operationId: "endpointSettings",
        summary: "Who may call (private or public) and the share of requests logged",
        parameters: slug,
        requestBody: body({ type: "object", properties: { access: { enum: ["private", "public"] }, logSample: { type: "number", minimum: 0, maximum: 1 } } }),
        responses: { "200": ok({ type: "object" }), ...errors("400", "404", "415") },
      },
    },
    "/api/v1/endpoints/{slug}/performance": {
      get: {
        operationId: "performance",
        summary: "Live accuracy (Wilson 95% interval) or RMSE and MAE per model version, from feedback",
        parameters: [...slug, { name: "since", in: "query", required: false, schema: { type: "string", format: "date-time" } }],
        responses: { "200": ok({ type: "object" }), ...errors("400", "404") },
      },
    },
    "/api/v1/endpoints/{slug}/monitoring": {
      get: {
        operationId: "monitoring",
        summary:
          "Monitoring over a time range (the last 6 hours by default, at most 31 days): per model version and role, requests, failures and latency percentiles per minute; drift (PSI, Jensen–Shannon distance) per feature and for predictions against the training data, with both histograms; the endpoint's drift alarms",
        parameters: [
          ...slug,
          { name: "from", in: "query", required: false, schema: { type: "string", format: "date-time" } },
          { name: "to", in: "query", required: false, schema: { type: "string", format: "date-time" } },
        ],
        responses: { "200": ok({ type: "object", properties: { series: { type: "array" }, alarms: { type: "array" }, settings: { type: "object" } } }), ...errors("400", "404") },
      },
    },
    "/api/v1/models": {
      get: {
        operationId: "listModels",
        summary: "Registered models of the workspace: every pipeline node that trains is one, each run a version",
        responses: { "200": ok({ type: "object", properties: { models: { type: "array", items: { type: "object", properties: { name: { type: "string" }, latestVersion: { type: "integer" }, aliases: { type: "object", additionalProperties: { type: "integer" } } } } } } }) },
      },
    },
    "/api/v1/models/{name}/versions": {
      get: {
        operationId: "modelVersions",
        summary: "A model's versions, newest first: id, version, runId, pipeline, metrics, signature, aliases, the endpoints serving it and the revisions that did",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": ok({ type: "object" }), ...errors("404") },
      },
    },
    "/api/v1/models/{name}/aliases/{alias}": {
      put: {
        operationId: "setAlias",
        summary: "Point an alias (champion, challenger, …) at a version; endpoints deployed by this alias serve that version in a new revision (409 naming what breaks unless confirmSchemaChange)",
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          { name: "alias", in: "path", required: true, schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,39}$" } },
        ],
        requestBody: body({ type: "object", required: ["version"], properties: { version: { type: "integer", minimum: 1 }, ...confirm } }),
        responses: { "200": ok({ type: "object" }), ...errors("400", "404", "415") },
      },
      delete: {
        operationId: "removeAlias",
        summary: "Remove an alias (409 while endpoints follow it)",
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          { name: "alias", in: "path", required: true, schema: { type: "string" } },
        ],
        responses: { "200": ok({ type: "object" }), ...errors("400", "404", "409") },
      },
    },
    "/api/v1/keys": {
      get: { operationId: "listKeys", summary: "Serving keys of the workspace (prefixes only)", responses: { "200": ok({ type: "object" }) } },
      post: {
        operationId: "createKey",
        summary: "A serving key, shown once in this response",
        requestBody: body({ type: "object", required: ["name"], properties: { name: { type: "string" }, endpoints: { type: "array", items: { type: "string" }, description: "Slugs it may call; omitted: every endpoint of the workspace" }, rateLimit: { type: "integer", minimum: 1, description: "Requests per minute (429 with Retry-After beyond)" } } }),
        responses: { "201": ok({ type: "object", properties: { id: { type: "string" }, key: { type: "string" } } }, "Created"), ...errors("400", "415") },
      },
    },
    "/api/v1/keys/{id}": {
      delete: { operationId: "revokeKey", summary: "Revoke a serving key (refused at once by every serving process)", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }], responses: { "200": ok({ type: "object" }), ...errors("404") } },
    },
    "/api/v1/batch-scores": {
      get: {
        operationId: "listBatchScores",
        summary: "Batch-scoring jobs of the workspace, newest first (`?slug=` for one endpoint's)",
        parameters: [{ name: "slug", in: "query", required: false, schema: { type: "string" } }],
        responses: { "200": ok({ type: "object", properties: { batchScores: { type: "array", items: batchScore } } }) },
      },
      post: {
        operationId: "startBatchScore",
        summary: "Score a dataset (upload a CSV as a dataset first) with an endpoint's model or a model version, as a durable workflow over chunks",
        requestBody: body({
          type: "object",
          required: ["datasetId"],
          additionalProperties: false,
          properties: {
            slug: { type: "string", description: "Score with the model this endpoint serves" },
            modelVersionId: { type: "string", format: "uuid", description: "Or with this model version (with slug: one of the versions it serves)" },
            datasetId: { type: "string", format: "uuid" },
          },
        }),
        responses: {
          "202": ok({ type: "object", required: ["runId"], properties: { runId: { type: "string", format: "uuid" }, status: { type: "string" }, statusUrl: { type: "string" } } }, "Started"),
          ...errors("400", "404", "415", "503"),
        },
      },
    },
    "/api/v1/batch-scores/{id}": {
      get: { operationId: "batchScore", summary: "A job's status and progress (rows scored and failed, chunks done) and, once done, its download URL", parameters: [uuidParam("id")], responses: { "200": ok(batchScore), ...errors("404") } },
      delete: {
        operationId: "deleteBatchScore",
        summary: "Delete a finished job and its scored file (a queued or running job: 409, cancel it first)",
        parameters: [uuidParam("id")],
        responses: { "200": ok({ type: "object", properties: { deleted: { type: "string", format: "uuid" }, bytesFreed: { type: "integer" } } }), ...errors("400", "404", "409") },
      },
    },
    "/api/v1/batch-scores/{id}/cancel": {
      post: { operationId: "cancelBatchScore", summary: "Cancel a queued or running job", parameters: [uuidParam("id")], responses: { "200": ok({ type: "object" }), ...errors("404", "409", "503") } },
    },
    "/api/v1/batch-scores/{id}/download": {
      get: {
        operationId: "downloadBatchScore",
        summary: "The scored file: the dataset's columns in their order, then prediction, probability_<class> and scoring_error (prefixed scored_ if the dataset has such a column)",
        parameters: [uuidParam("id"), { name: "format", in: "query", required: false, schema: { enum: ["csv", "parquet"], default: "csv" } }],
        responses: {
          "200": { description: "The file", content: { "text/csv": { schema: { type: "string" } }, "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } } } },
          ...errors("400", "404", "409"),
        },
      },
    },
  };
}
