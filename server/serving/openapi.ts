/** The OpenAPI 3.1 document of one generated endpoint: its input and output schema. */
import type { ColumnSchema } from "~/lib/pipeline/document";
import type { LoadedModel } from "~/workflows/model/predictor";
import { errorResponse, ok } from "../http/openapi";
import { MAX_INSTANCES } from "./validate";

function columnJsonSchema(c: ColumnSchema) {
  const t = c.type === "number" ? "number" : c.type;
  return { type: c.nullable ? [t, "null"] : t };
}

export function endpointOpenApi(serverUrl: string, slug: string, modelVersion: number, model: LoadedModel, inputs: ColumnSchema[]) {
  const instance = {
    type: "object",
    additionalProperties: false,
    required: inputs.map((c) => c.name),
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
            "200": ok({
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
