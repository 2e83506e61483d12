/**
 * The serving runtime behind every generated endpoint: resolves the slug to its current
 * model version, validates raw input, replays the fitted clean/feature steps and predicts.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db/client";
import { DomainError, InvalidError, NotFoundError } from "~/lib/errors";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { inputColumns } from "~/workflows/model/signature";
import { SLUG } from "~/lib/pipeline/endpoint";
import { resolveEndpoint } from "../endpoints/repository";
import { errorStatus } from "../http/errors";
import { metrics } from "../metrics/registry";
import { MAX_INSTANCES, parseInstances, validateInstances } from "./validate";

const g = globalThis as unknown as { __millraceModels?: Map<string, Promise<LoadedModel>> };
const models = (g.__millraceModels ??= new Map());

/** Model versions are immutable, so a loaded model is cached by version id. */
function loaded(artifacts: ArtifactStore, id: string, uri: string) {
  let m = models.get(id);
  if (!m) {
    m = artifacts.getBytes(uri).then((b) => loadModel(parseModelFile(b)));
    m.catch(() => models.delete(id));
    models.set(id, m);
  }
  return m;
}

/** The endpoint's current model, or NotFoundError. */
export async function endpointModel(db: Db, artifacts: ArtifactStore, slug: string) {
  // A string that cannot be a slug names no endpoint: answered without asking the database.
  const endpoint = SLUG.test(slug) ? await resolveEndpoint(db, slug) : undefined;
  if (!endpoint) throw new NotFoundError(`no endpoint '${slug}'`);
  return { endpoint, model: await loaded(artifacts, endpoint.modelVersionId, endpoint.artifactUri) };
}

export async function predict(db: Db, artifacts: ArtifactStore, slug: string, readBody: () => Promise<unknown>) {
  const started = performance.now();
  const m = metrics();
  let status = 500;
  // Only endpoints that exist get a label of their own: random URLs cannot grow the metric series.
  let label = "_unknown";
  try {
    const { endpoint, model } = await endpointModel(db, artifacts, slug);
    label = slug;
    const body = await readBody();
    const inputs = inputColumns(model.file);
    const parsed = parseInstances(body, MAX_INSTANCES, inputs);
    if ("error" in parsed) throw new InvalidError(parsed.error);
    const { errors, unknown } = validateInstances(parsed.instances, inputs, endpoint.unknownFields);
    if (errors.length) {
      throw new InvalidError(
        `invalid input: ${errors.slice(0, 5).map((e) => (parsed.batch ? `instances[${e.instance}].` : "") + `${e.field} ${e.message}`).join("; ")}`,
        { details: errors.slice(0, 100) },
      );
    }
    const rows = parsed.instances as Record<string, unknown>[];
    // A row the model cannot score is the caller's problem (MissingFeatureError is an InvalidError).
    const { predictions, probabilities } = model.predictProba ? model.predictProba(rows) : { predictions: model.predict(rows), probabilities: undefined };
    if (endpoint.monitored) {
      const version = String(endpoint.modelVersion);
      for (const p of predictions) {
        if (endpoint.task === "classification") m.predictions.inc({ endpoint: slug, model_version: version, class: String(p) });
        else m.predictedValue.observe({ endpoint: slug, model_version: version }, Number(p));
      }
    }
    status = 200;
    return {
      body: { predictions, ...(probabilities ? { probabilities } : {}), modelVersion: endpoint.modelVersion, requestId: randomUUID() },
      /** Fields of the request the model does not know, ignored. */
      ignored: unknown,
    };
  } catch (e) {
    if (e instanceof DomainError) status = errorStatus[e.kind].http;
    throw e;
  } finally {
    m.requests.inc({ endpoint: label, status: String(status) });
    m.latency.observe({ endpoint: label }, (performance.now() - started) / 1000);
  }
}
