/** The OpenAPI 3.1 document of one generated endpoint: its input and output schema. */
import { anchored, datePattern, DEFAULT_FORMAT, isDateKind } from "~/lib/pipeline/dates";
import type { LoadedModel } from "~/workflows/model/predictor";
import type { InputField } from "~/workflows/model/signature";
import { errorResponse, ok } from "../http/openapi";
import { IGNORED_FIELDS_HEADER, MAX_INSTANCES, type UnknownFieldPolicy } from "./validate";

function columnJsonSchema(c: InputField) {
  const about = [c.kind && c.kind !== c.type ? c.kind : "", c.format ? `as written in the source (${c.format})` : "", c.optional ? "not used by the model" : ""].filter(Boolean).join("; ");
  const described = about ? { description: about } : {};
  if (c.type === "boolean" && c.tokens) {
    // The source's own spellings are accepted, as ingest read them.
    const options: object[] = [{ type: "boolean" }, { enum: [...c.tokens.true, ...c.tokens.false] }];
    if (c.nullable) options.push({ type: "null" });
    return { ...described, anyOf: options };
  }
  // Dates, timestamps and times as the file writes them (the calendar is checked too: no 31/02).
  const pattern = isDateKind(c.kind) ? datePattern(c.format ?? DEFAULT_FORMAT[c.kind] ?? "") : undefined;
  return { ...described, type: c.nullable ? [c.type, "null"] : c.type, ...(pattern && typeof pattern !== "string" ? { pattern: anchored(pattern) } : {}) };
}

export function endpointOpenApi(serverUrl: string, slug: string, modelVersion: number, model: LoadedModel, inputs: InputField[], unknownFields: UnknownFieldPolicy) {
  const instance = {
    type: "object",
    additionalProperties: unknownFields === "ignore",
    required: inputs.filter((c) => !c.optional).map((c) => c.name),
    properties: Object.fromEntries(inputs.map((c) => [c.name, columnJsonSchema(c)])),
  };
  const label =
    model.file.task === "classification"
      ? { enum: model.file.classes, description: `predicted ${model.file.target}` }
      : { type: "number", description: `predicted ${model.file.target}` };
  return {
    openapi: "3.1.0",
    info: {
      title: `Millrace endpoint ${slug}`,
      version: String(modelVersion),
      description: `${model.file.task} of '${model.file.target}' (model version ${modelVersion}). Send raw values of the ingested columns; the pipeline's cleaning and feature steps are applied before prediction.`,
    },
    servers: [{ url: serverUrl }],
    paths: {
      [`/api/v1/endpoints/${slug}/predict`]: {
        post: {
          summary: "Predict",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
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
              },
            },
          },
          responses: {
            "200": {
              ...ok({
              type: "object",
              required: ["predictions", "modelVersion", "requestId"],
              properties: {
                predictions: { type: "array", items: label },
                ...(model.predictProba
                  ? {
                      probabilities: {
                        type: "array",
                        description: "per instance, the probability of each class",
                        items: { type: "object", additionalProperties: { type: "number" } },
                      },
                    }
                  : {}),
                modelVersion: { type: "integer" },
                requestId: { type: "string", format: "uuid" },
              },
              }),
              headers: {
                [IGNORED_FIELDS_HEADER]: { description: "Request fields the model does not know, ignored (comma-separated)", schema: { type: "string" } },
              },
            },
            "400": errorResponse("Invalid input: the message and `details` name each field"),
            "413": errorResponse("The body is larger than MAX_JSON_BYTES"),
            "415": errorResponse("Content type is not application/json"),
            "503": errorResponse("The database is unavailable"),
          },
        },
      },
    },
    components: { schemas: { Instance: instance } },
  };
}
