/**
 * The OpenAPI 3.1 document of one generated endpoint: its input and output schema in each
 * protocol it speaks (Millrace, MLflow scoring, Open Inference Protocol v2), feedback, and how to
 * authenticate.
 */
import { anchored, datePattern, DEFAULT_FORMAT, isDateKind } from "~/lib/pipeline/dates";
import type { InputField } from "~/workflows/model/signature";
import { errorResponse, ok } from "../http/openapi";
import { labelClasses, labelType, MAX_FEEDBACK } from "./feedback";
import { labelDatatype, MLFLOW_FORMATS, oipDatatype } from "./protocols";
import type { Served } from "./table";
import { IGNORED_FIELDS_HEADER, MAX_INSTANCES, UNSEEN_CATEGORIES_HEADER } from "~/workflows/model/validate";

/**
 * A column's JSON Schema. `categories`: a categorical column's most frequent values in training
 * (from the model's reference profile), listed as examples — not an enum: a value training never
 * saw is scored (the forest routes it as such), not refused.
 */
function columnJsonSchema(c: InputField, categories?: string[]) {
  const seen = categories?.length && c.type === "string" ? `seen in training: ${categories.slice(0, 20).join(", ")}${categories.length > 20 ? ", …" : ""} (another value is scored as one training never saw)` : "";
  const about = [c.kind && c.kind !== c.type && c.kind !== "integer" ? c.kind : "", seen, c.format ? `as written in the source (${c.format})` : "", c.optional ? "not used by the model" : ""].filter(Boolean).join("; ");
  const described = { ...(about ? { description: about } : {}), ...(seen ? { examples: categories!.slice(0, 20) } : {}) };
  // Where a missing value is accepted, the source's spellings of one (`NA`, …) are too.
  const missing = c.nullable && c.missingTokens?.length ? [{ enum: c.missingTokens }] : [];
  if (c.type === "boolean" && c.tokens) {
    // The source's own spellings are accepted, as ingest read them.
    const options: object[] = [{ type: "boolean" }, { enum: [...c.tokens.true, ...c.tokens.false] }];
    if (c.nullable) options.push({ type: "null" }, ...missing);
    return { ...described, anyOf: options };
  }
  // Dates, timestamps and times as the file writes them (the calendar is checked too: no 31/02).
  const pattern = isDateKind(c.kind) ? datePattern(c.format ?? DEFAULT_FORMAT[c.kind] ?? "") : undefined;
  const patterned = pattern && typeof pattern !== "string" ? { pattern: anchored(pattern) } : {};
  // A column of whole numbers takes whole numbers (the endpoint refuses 2007.5 where ingest saw only integers).
  const type = c.kind === "integer" && c.type === "number" ? "integer" : c.type;
  if (missing.length && (c.type !== "string" || "pattern" in patterned)) return { ...described, anyOf: [{ type, ...patterned }, { type: "null" }, ...missing] };
  return { ...described, type: c.nullable ? [type, "null"] : type, ...patterned };
}

export function endpointOpenApi(serverUrl: string, served: Served) {
  const { slug, primary } = served;
  const model = primary.model;
  const inputs = primary.inputs;
  const feedbackLabels = labelClasses(served);
  const categoriesOf = new Map((model.file.profile?.features ?? []).flatMap((f) => (f.kind === "categorical" ? [[f.name, f.categories] as const] : [])));
  // A row of the training data as ingested, where the registry kept one.
  const example = primary.example ? Object.fromEntries(inputs.filter((c) => c.name in primary.example!).map((c) => [c.name, primary.example![c.name]])) : undefined;
  const instance = {
    type: "object",
    additionalProperties: served.unknownFields === "ignore",
    required: inputs.filter((c) => !c.optional).map((c) => c.name),
    properties: Object.fromEntries(inputs.map((c) => [c.name, columnJsonSchema(c, categoriesOf.get(c.name))])),
    ...(example ? { examples: [example] } : {}),
  };
  const label =
    model.file.task === "classification"
      ? { enum: model.file.classes, description: `predicted ${model.file.target}` }
      : { type: "number", description: `predicted ${model.file.target}` };
  const headers = {
    [IGNORED_FIELDS_HEADER]: { description: "Request fields the model does not know, ignored (comma-separated)", schema: { type: "string" } },
    [UNSEEN_CATEGORIES_HEADER]: { description: "Features given a category training never saw, scored as a missing value (comma-separated)", schema: { type: "string" } },
    "Millrace-Model": { description: "The registered model that answered", schema: { type: "string" } },
    "Millrace-Model-Version": { description: "The model version that answered (with an A/B split, the variant drawn)", schema: { type: "string" } },
    "Millrace-Request-Id": { description: "The request's id, for feedback", schema: { type: "string", format: "uuid" } },
  };
  const errors = {
    "400": errorResponse("Invalid input: the message and `details` name each field"),
    "401": errorResponse("No valid serving key (private endpoint, or a revoked or mistyped key)"),
    "403": errorResponse("The key may not call this endpoint"),
    "404": errorResponse("No such endpoint (or it belongs to another workspace)"),
    "413": errorResponse("The body is larger than MAX_JSON_BYTES"),
    "415": errorResponse("Content type is not application/json"),
    "429": errorResponse("The key's rate limit is spent; retry after `Retry-After` seconds"),
  };
  const sticky = { name: "Millrace-Variant-Key", in: "header", required: false, description: "Any string: the same one always gets the same variant of an A/B split", schema: { type: "string" } };
  const json = (schema: unknown, example?: unknown) => ({ required: true, content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } } });
  const tensor = { type: "object", required: ["name", "shape", "datatype", "data"], properties: { name: { type: "string" }, shape: { type: "array", items: { type: "integer" } }, datatype: { type: "string" }, data: { type: "array" }, parameters: { type: "object" } } };
  const probabilities = model.predictProba && model.file.classes;
  return {
    openapi: "3.1.0",
    info: {
      title: `Millrace endpoint ${slug}`,
      version: String(primary.version),
      description: `${model.file.task} of '${model.file.target}' (model version ${primary.version}). Send raw values of the ingested columns; the pipeline's cleaning and feature steps are applied before prediction. ${served.access === "public" ? "Public: no key needed." : "Private: send `Authorization: Bearer <serving key>`."}`,
    },
    servers: [{ url: serverUrl }],
    security: served.access === "public" ? [{}, { servingKey: [] }] : [{ servingKey: [] }],
    paths: {
      [`/api/v1/endpoints/${slug}/predict`]: {
        post: {
          summary: "Predict (Millrace's format)",
          parameters: [sticky],
          requestBody: json(
            {
              oneOf: [
                { $ref: "#/components/schemas/Instance" },
                {
                  type: "object",
                  additionalProperties: false,
                  required: ["instances"],
                  properties: { instances: { type: "array", minItems: 1, maxItems: MAX_INSTANCES, items: { $ref: "#/components/schemas/Instance" } } },
                },
              ],
            },
            example,
          ),
          responses: {
            "200": {
              ...ok({
                type: "object",
                required: ["predictions", "modelVersion", "requestId"],
                properties: {
                  predictions: { type: "array", items: label },
                  ...(probabilities ? { probabilities: { type: "array", description: "per instance, the probability of each class", items: { type: "object", additionalProperties: { type: "number" } } } } : {}),
                  model: { type: "string", description: "the registered model that answered (with an A/B split, the variant drawn)" },
                  modelVersion: { type: "integer" },
                  requestId: { type: "string", format: "uuid" },
                },
              }),
              headers,
            },
            ...errors,
          },
        },
      },
      [`/api/v1/endpoints/${slug}/invocations`]: {
        post: {
          summary: "Predict (MLflow scoring server format)",
          description: `One of ${MLFLOW_FORMATS.join(", ")}. \`instances\` and \`inputs\` take records, arrays in the order ${inputs.map((c) => c.name).join(", ")}, or an object of columns.`,
          parameters: [sticky],
          requestBody: json({
            type: "object",
            properties: {
              dataframe_split: { type: "object", required: ["columns", "data"], properties: { columns: { type: "array", items: { type: "string" } }, data: { type: "array", items: { type: "array" } }, index: { type: "array" } } },
              dataframe_records: { type: "array", maxItems: MAX_INSTANCES, items: { $ref: "#/components/schemas/Instance" } },
              instances: { type: ["array", "object"] },
              inputs: { type: ["array", "object"] },
              params: { type: "object" },
            },
          }),
          responses: { "200": { ...ok({ type: "object", required: ["predictions"], properties: { predictions: { type: "array", items: label } } }), headers }, ...errors },
        },
      },
      [`/v2/models/${slug}/infer`]: {
        post: {
          summary: "Predict (Open Inference Protocol v2)",
          description: `One input tensor per column, shape [N] or [N, 1]: ${inputs.map((c) => `${c.name} (${oipDatatype(c)})`).join(", ")}. \`null\` in data is a missing value.`,
          parameters: [sticky],
          requestBody: json({ type: "object", required: ["inputs"], properties: { id: { type: "string" }, parameters: { type: "object" }, inputs: { type: "array", items: tensor }, outputs: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } } } }),
          responses: {
            "200": ok({
              type: "object",
              required: ["model_name", "outputs"],
              properties: { model_name: { type: "string" }, model_version: { type: "string" }, id: { type: "string" }, parameters: { type: "object" }, outputs: { type: "array", items: tensor } },
              description: `outputs: predictions (${model.file.task === "classification" ? labelDatatype(model.file.classes ?? []) : "FP64"}, [N])${probabilities ? `, probabilities (FP64, [N, ${model.file.classes!.length}], columns ${model.file.classes!.join(", ")})` : ""}`,
            }),
            ...errors,
          },
        },
      },
      [`/v2/models/${slug}`]: { get: { summary: "Model metadata (Open Inference Protocol v2)", responses: { "200": ok({ type: "object" }), "401": errors["401"], "404": errors["404"] } } },
      [`/v2/models/${slug}/ready`]: { get: { summary: "Model readiness (Open Inference Protocol v2)", responses: { "200": ok({ type: "object", properties: { name: { type: "string" }, ready: { type: "boolean" } } }), "401": errors["401"], "404": errors["404"] } } },
      [`/api/v1/endpoints/${slug}/feedback`]: {
        post: {
          summary: "Ground truth for earlier predictions (needs a serving key)",
          description: `Labels join predictions by requestId (and the instance's index in a batch); they may arrive before or long after the prediction. At most ${MAX_FEEDBACK} per request.`,
          requestBody: json({
            oneOf: [
              { $ref: "#/components/schemas/Feedback" },
              { type: "object", required: ["feedback"], properties: { feedback: { type: "array", maxItems: MAX_FEEDBACK, items: { $ref: "#/components/schemas/Feedback" } } } },
            ],
          }),
          // Always a key, even where predictions take none.
          security: [{ servingKey: [] }],
          responses: {
            "200": ok({
              type: "object",
              properties: {
                accepted: { type: "integer", description: "labels stored" },
                matched: { type: "integer", description: "of them, those whose prediction is in the log now (the rest join when it is written)" },
              },
            }),
            ...errors,
          },
        },
      },
    },
    components: {
      schemas: {
        Instance: instance,
        Feedback: {
          type: "object",
          required: ["requestId", "label"],
          properties: {
            requestId: { type: "string", format: "uuid" },
            index: { type: "integer", minimum: 0, maximum: 999, default: 0 },
            // A classifier's label: one of the classes its models know (the feedback route refuses others).
            label: {
              ...(labelType(served) ? { type: labelType(served) } : { type: ["string", "number", "boolean"] }),
              ...(feedbackLabels ? { enum: [...feedbackLabels] } : {}),
              description: `the true ${model.file.target}`,
            },
          },
        },
      },
      securitySchemes: { servingKey: { type: "http", scheme: "bearer", description: "A serving key (mrk_…) from Settings → Serving keys or POST /api/v1/keys" } },
    },
  };
}
