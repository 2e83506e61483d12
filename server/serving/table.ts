/**
 * What a serving process knows, in memory: each endpoint with its live models and traffic split,
 * and the serving keys by hash. Loaded from Postgres at start, then kept current by the change
 * notifications the database sends (`millrace_serving`, see server/serving/runtime.ts) and a
 * periodic reconcile. A request never waits on the database.
 */
import type { LiveWindow } from "../monitoring/window";
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, servingKeys, type EndpointAccess, type TrafficVariant } from "~/db/schema";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { parseModelFile } from "~/workflows/model/model-file";
import { loadModel, type LoadedModel } from "~/workflows/model/predictor";
import { inputColumns, type InputField } from "~/workflows/model/signature";
import type { UnknownFieldPolicy } from "~/workflows/model/validate";
import { VariantStats } from "./variant-stats";

export interface Variant {
  modelVersionId: string;
  /** The registered model it is a version of. */
  name: string;
  version: number;
  /**
   * How the Open Inference Protocol names it: the version number, or `name@version` when the
   * endpoint serves versions of different models (two "v1"s would be ambiguous).
   */
  label: string;
  /** Share of live traffic (0 for a shadow). */
  weight: number;
  shadow: boolean;
  model: LoadedModel;
  inputs: InputField[];
  /** A row of its training data as ingested (for documentation), when known. */
  example: Record<string, unknown> | null;
  guardrail: TrafficVariant["guardrail"] | undefined;
  /** Its traffic in this process since this revision went live. */
  stats: VariantStats;
  /** Its endpoint's and its own id as prediction log fields (`logIds`), encoded on first use. */
  logIds?: Buffer;
  /** Its live monitoring window (given by the runtime; shared with earlier revisions of the same version and role). */
  window?: LiveWindow;
  /** Its labelled metrics, resolved on first use (labels hash on every lookup). */
  meters?: { latency: { observe(v: number): void }; ok: { inc(): void }; byClass: Map<string, { inc(): void }>; value?: { observe(v: number): void } };
}

export interface Served {
  endpointId: string;
  slug: string;
  workspaceId: string;
  access: EndpointAccess;
  unknownFields: UnknownFieldPolicy;
  monitored: boolean;
  logSample: number;
  revision: number;
  task: "classification" | "regression";
  /** The endpoint's own model version: what its schema, OpenAPI and protocol metadata describe. */
  primary: Variant;
  /** Variants that answer callers, with cumulative weights for the draw. */
  live: Variant[];
  cumulative: number[];
  /** Variants that get copies of requests and answer no one. */
  shadows: Variant[];
  /** The endpoint's labelled metrics, resolved on first use. */
  meters?: { latency: { observe(v: number): void }; byStatus: Map<number, { inc(): void }> };
}

export interface KeyInfo {
  id: string;
  workspaceId: string;
  name: string;
  /** Slugs the key may call; null: every endpoint of its workspace. */
  endpoints: Set<string> | null;
  rateLimit: number | null;
}

/** Model versions are immutable: a loaded model is shared by every endpoint and revision that serves it. */
export class ModelCache {
  private models = new Map<string, Promise<LoadedModel>>();
  constructor(private artifacts: ArtifactStore) {}

  get(id: string, uri: string): Promise<LoadedModel> {
    let m = this.models.get(id);
    if (!m) {
      m = this.artifacts.getBytes(uri).then((b) => loadModel(parseModelFile(b)));
      m.catch(() => this.models.delete(id));
      this.models.set(id, m);
    }
    return m;
  }

  /** Forgets models no endpoint serves any more. */
  retain(ids: Set<string>) {
    for (const id of this.models.keys()) if (!ids.has(id)) this.models.delete(id);
  }
}


const endpointColumns = {
  id: endpoints.id,
  slug: endpoints.slug,
  workspaceId: endpoints.workspaceId,
  access: endpoints.access,
  unknownFields: endpoints.unknownFields,
  monitored: endpoints.monitored,
  logSample: endpoints.logSample,
  revision: endpoints.revision,
  modelVersionId: endpoints.modelVersionId,
  traffic: endpoints.traffic,
};

export async function readEndpoints(db: Db, slug?: string) {
  return db
    .select(endpointColumns)
    .from(endpoints)
    .where(slug === undefined ? undefined : eq(endpoints.slug, slug));
}

type EndpointRow = Awaited<ReturnType<typeof readEndpoints>>[number];

/** Builds an endpoint's serving entry, its models loaded (so it can go live the moment it is swapped in). */
export async function buildServed(db: Db, cache: ModelCache, row: EndpointRow): Promise<Served> {
  const traffic: TrafficVariant[] = row.traffic?.length ? row.traffic : [{ modelVersionId: row.modelVersionId, weight: 1 }];
  const ids = [...new Set([row.modelVersionId, ...traffic.map((t) => t.modelVersionId)])];
  const versions = await db
    .select({ id: modelVersions.id, name: modelVersions.name, version: modelVersions.version, artifactUri: modelVersions.artifactUri, task: modelVersions.task, example: modelVersions.example })
    .from(modelVersions)
    .where(inArray(modelVersions.id, ids));
  const byId = new Map(versions.map((v) => [v.id, v]));
  const variant = async (id: string, weight: number, shadow: boolean, guardrail?: TrafficVariant["guardrail"]): Promise<Variant> => {
    const v = byId.get(id);
    if (!v) throw new Error(`endpoint '${row.slug}' refers to model version ${id}, which does not exist`);
    const model = await cache.get(v.id, v.artifactUri);
    const label = new Set(versions.map((x) => x.name)).size > 1 ? `${v.name}@${v.version}` : String(v.version);
    return { modelVersionId: v.id, name: v.name, version: v.version, label, weight, shadow, model, inputs: inputColumns(model.file), example: v.example, guardrail, stats: new VariantStats() };
  };
  const all = await Promise.all(traffic.map((t) => variant(t.modelVersionId, t.shadow ? 0 : t.weight, !!t.shadow, t.guardrail)));
  // The same object when it also answers traffic: a request pinned to it counts in its stats.
  const primary = all.find((v) => v.modelVersionId === row.modelVersionId && !v.shadow) ?? (await variant(row.modelVersionId, 0, false));
  const live = all.filter((v) => !v.shadow && v.weight > 0);
  if (!live.length) live.push({ ...primary, weight: 1 });
  const total = live.reduce((s, v) => s + v.weight, 0);
  let acc = 0;
  const cumulative = live.map((v) => (acc += v.weight / total));
  return {
    endpointId: row.id,
    slug: row.slug,
    workspaceId: row.workspaceId,
    access: row.access,
    unknownFields: row.unknownFields,
    monitored: row.monitored,
    logSample: row.logSample,
    revision: row.revision,
    task: primary.model.file.task,
    primary,
    live,
    cumulative,
    shadows: all.filter((v) => v.shadow),
  };
}

export async function readKeys(db: Db): Promise<Map<string, KeyInfo>> {
  const rows = await db
    .select({ id: servingKeys.id, hash: servingKeys.hash, workspaceId: servingKeys.workspaceId, name: servingKeys.name, endpoints: servingKeys.endpoints, rateLimit: servingKeys.rateLimit })
    .from(servingKeys)
    .where(and(isNull(servingKeys.revokedAt)));
  return new Map(rows.map((r) => [r.hash, { id: r.id, workspaceId: r.workspaceId, name: r.name, endpoints: r.endpoints ? new Set(r.endpoints) : null, rateLimit: r.rateLimit }]));
}
