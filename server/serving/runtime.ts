/**
 * The serving runtime behind every generated endpoint: resolves the slug to its current
 * model version, validates raw input, replays the fitted clean/feature steps and predicts.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { endpoints, modelVersions } from "../../db/schema";
import { loadModel, MissingFeatureError, parseModelFile, type LoadedModel } from "../../workflows/ml/model";
import type { ArtifactStore } from "../artifacts/store";
import { HttpError } from "../http/errors";
import { metrics } from "../metrics/registry";
import { parseInstances, validateInstances } from "./validate";

export const MAX_INSTANCES = 1000;

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

export async function resolveEndpoint(db: Db, slug: string) {
  const [row] = await db
    .select({
      slug: endpoints.slug,
      monitored: endpoints.monitored,
      modelVersionId: modelVersions.id,
      modelVersion: modelVersions.version,
      artifactUri: modelVersions.artifactUri,
      task: modelVersions.task,
    })
    .from(endpoints)
    .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
    .where(eq(endpoints.slug, slug));
  return row;
}

export async function endpointModel(db: Db, artifacts: ArtifactStore, slug: string) {
  const ep = await resolveEndpoint(db, slug);
  if (!ep) return undefined;
  return { endpoint: ep, model: await loaded(artifacts, ep.modelVersionId, ep.artifactUri) };
}

/** The columns an endpoint accepts: the ingested columns, minus the target. */
export const inputColumns = (m: LoadedModel) => m.file.lineage.rawColumns.filter((c) => c.name !== m.file.target);

export async function predict(db: Db, artifacts: ArtifactStore, slug: string, readBody: () => Promise<unknown>) {
  const started = performance.now();
  const m = metrics();
  let status = 500;
  try {
    const found = await endpointModel(db, artifacts, slug);
    if (!found) throw new HttpError(404, { error: `no endpoint '${slug}'` });
    const { endpoint, model } = found;
    const body = await readBody();
    const parsed = parseInstances(body, MAX_INSTANCES);
    if ("error" in parsed) throw new HttpError(400, { error: parsed.error });
    const errors = validateInstances(parsed.instances, inputColumns(model));
    if (errors.length) {
      throw new HttpError(400, {
        error: `invalid input: ${errors.slice(0, 5).map((e) => (parsed.batch ? `instances[${e.instance}].` : "") + `${e.field} ${e.message}`).join("; ")}`,
        details: errors.slice(0, 100),
      });
    }
    const rows = parsed.instances as Record<string, unknown>[];
    let predictions;
    let probabilities: Record<string, number>[] | undefined;
    try {
      if (model.predictProba) ({ predictions, probabilities } = model.predictProba(rows));
      else predictions = model.predict(rows);
    } catch (e) {
      if (e instanceof MissingFeatureError) throw new HttpError(400, { error: e.message });
      throw e;
    }
    if (endpoint.monitored) {
      const version = String(endpoint.modelVersion);
      for (const p of predictions) {
        if (endpoint.task === "classification") m.predictions.inc({ endpoint: slug, model_version: version, class: String(p) });
        else m.predictedValue.observe({ endpoint: slug, model_version: version }, Number(p));
      }
    }
    status = 200;
    return { predictions, ...(probabilities ? { probabilities } : {}), modelVersion: endpoint.modelVersion, requestId: randomUUID() };
  } catch (e) {
    if (e instanceof HttpError) status = e.status;
    throw e;
  } finally {
    // Unknown slugs share one label so that random URLs cannot blow up metric cardinality.
    const label = status === 404 ? "_unknown" : slug;
    m.requests.inc({ endpoint: label, status: String(status) });
    m.latency.observe({ endpoint: label }, (performance.now() - started) / 1000);
  }
}
