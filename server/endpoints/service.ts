/**
 * Operating endpoints: deploy a model version, roll back to an earlier revision, split traffic
 * (A/B and shadow), set who may call (public or private), serving keys, and live scores from
 * feedback. Every change that alters what an endpoint serves goes through `publishRevision`
 * (workflows/endpoints/revisions.ts) and into the audit log; serving processes pick it up by
 * notification.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { deployments, endpoints, modelAliases, modelVersions, runNodes, runs, servingKeys, users, type AliasRef, type EndpointAccess, type TrafficVariant } from "~/db/schema";
import { registerModel } from "~/workflows/models/registry";
import { newToken } from "~/lib/crypto";
import { ConflictError, InvalidError, NotFoundError } from "~/lib/errors";
import { SLUG, SLUG_MESSAGE } from "~/lib/pipeline/endpoint";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { recordAudit } from "~/workflows/audit";
import { breakingChanges, publishRevision, servingVersionIds, type Tx } from "~/workflows/endpoints/revisions";
import { auditActor, type Actor } from "../auth/policy";
import { liveScores } from "~/workflows/monitoring/live-scores";


async function endpointIn(db: Db, workspaceId: string, slug: string) {
  const [row] = await db.select().from(endpoints).where(and(eq(endpoints.slug, slug), eq(endpoints.workspaceId, workspaceId)));
  if (!row) throw new NotFoundError(`no endpoint '${slug}'`);
  return row;
}

async function versionIn(db: Db, workspaceId: string, id: string) {
  const [v] = await db.select().from(modelVersions).where(and(eq(modelVersions.id, id), eq(modelVersions.workspaceId, workspaceId)));
  if (!v) throw new NotFoundError(`model version ${id} not found`);
  return v;
}

/** Refuses a change that would break callers unless they confirmed it, naming what breaks (409). */
function confirmBreaking(changes: string[], confirmed: boolean | undefined, slug: string) {
  if (changes.length && !confirmed) {
    throw new ConflictError(`this would change what endpoint '${slug}' accepts or answers: ${changes.join("; ")}. Confirm the schema change to go ahead`, { breaking: changes });
  }
}

/** The version an alias names now (404 naming the model and alias when there is none). */
async function aliasTarget(db: Db, workspaceId: string, ref: AliasRef) {
  const [row] = await db
    .select({ id: modelAliases.modelVersionId })
    .from(modelAliases)
    .where(and(eq(modelAliases.workspaceId, workspaceId), eq(modelAliases.name, ref.model), eq(modelAliases.alias, ref.alias)));
  if (!row) throw new NotFoundError(`model '${ref.model}' has no alias '${ref.alias}'`);
  return row.id;
}

export interface DeployInput {
  modelVersionId?: string;
  /** Or a registered model's alias: the endpoint then follows it, each move of the alias a new revision. */
  model?: string;
  alias?: string;
  confirmSchemaChange?: boolean;
}

/**
 * Serves a model version at `slug` (creating the endpoint, private, when it is new): a new
 * revision with all traffic to it. Deployed by alias, the endpoint follows the alias from then on.
 */
export async function deployVersion(db: Db, artifacts: ArtifactStore, actor: Actor, workspaceId: string, slug: string, input: DeployInput) {
  if (!SLUG.test(slug)) throw InvalidError.withProblems("invalid endpoint slug", [{ path: "slug", message: SLUG_MESSAGE }]);
  const follows = input.model && input.alias ? { model: input.model, alias: input.alias } : null;
  const versionId = follows ? await aliasTarget(db, workspaceId, follows) : input.modelVersionId;
  if (!versionId) throw InvalidError.withProblems("say what to deploy", [{ path: "modelVersionId", message: "give modelVersionId, or model and alias" }]);
  const version = await versionIn(db, workspaceId, versionId);
  const summary = { id: version.id, name: version.name, version: version.version };
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(endpoints).where(eq(endpoints.slug, slug)).for("update");
    // Slugs are one namespace: another workspace's endpoint is, to this caller, a slug that is taken.
    if (current && current.workspaceId !== workspaceId) throw new ConflictError(`the slug '${slug}' is taken; choose another`);
    // Already serving exactly this, the same way: nothing to change, no new revision.
    if (current && current.modelVersionId === version.id && !current.traffic?.length && sameAlias(current.follows, follows)) {
      return { revision: current.revision, modelVersion: summary, follows, created: false };
    }
    if (current) confirmBreaking(await breakingChanges(tx, artifacts, servingVersionIds(current), version), input.confirmSchemaChange, slug);
    let endpointId = current?.id;
    if (!endpointId) {
      const [created] = await tx.insert(endpoints).values({ workspaceId, slug, modelVersionId: version.id, revision: 0 }).returning();
      endpointId = created!.id;
    }
    const revision = await publishRevision(tx, { endpointId, modelVersionId: version.id, traffic: null, follows, kind: "deploy", runId: version.runId, actorUserId: actor.userId });
    await recordAudit(tx as unknown as Db, {
      action: "deploy",
      workspaceId,
      ...auditActor(actor),
      target: slug,
      details: { modelVersion: version.version, model: version.name, revision, confirmSchemaChange: !!input.confirmSchemaChange, ...(follows ? { follows: `${follows.model}@${follows.alias}` } : {}) },
    });
    return { revision, modelVersion: summary, follows, created: !current };
  });
}

const sameAlias = (a: AliasRef | null, b: AliasRef | null) => a?.model === b?.model && a?.alias === b?.alias;

/**
 * An alias moved: every endpoint of the workspace that follows it serves the version it names
 * now, each in a new revision, in the caller's transaction. A move that would break an
 * endpoint's callers is refused (409 naming the endpoints and what breaks) unless confirmed.
 */
export async function followAliasMove(tx: Tx, artifacts: ArtifactStore, actor: Actor, workspaceId: string, ref: AliasRef, versionId: string, confirmSchemaChange: boolean | undefined) {
  const followers = (await tx.select().from(endpoints).where(and(eq(endpoints.workspaceId, workspaceId), sql`${endpoints.follows} = ${JSON.stringify(ref)}::jsonb`)).for("update")).filter(
    (e) => e.modelVersionId !== versionId || e.traffic?.length,
  );
  if (!followers.length) return [];
  const [version] = await tx.select().from(modelVersions).where(eq(modelVersions.id, versionId));
  const breaking: string[] = [];
  for (const e of followers) for (const c of await breakingChanges(tx, artifacts, servingVersionIds(e), version!)) breaking.push(`/${e.slug}: ${c}`);
  if (breaking.length && !confirmSchemaChange) {
    throw new ConflictError(`moving ${ref.model}@${ref.alias} would change what endpoints following it accept or answer: ${breaking.join("; ")}. Confirm the schema change to go ahead`, { breaking });
  }
  const deployed: { slug: string; revision: number }[] = [];
  for (const e of followers) {
    const revision = await publishRevision(tx, { endpointId: e.id, modelVersionId: versionId, traffic: null, follows: ref, kind: "alias", runId: version!.runId, actorUserId: actor.userId });
    await recordAudit(tx as unknown as Db, { action: "deploy", workspaceId, ...auditActor(actor), target: e.slug, details: { modelVersion: version!.version, model: version!.name, revision, follows: `${ref.model}@${ref.alias}` } });
    deployed.push({ slug: e.slug, revision });
  }
  return deployed;
}

/** The endpoints of the workspace that follow an alias. */
export async function aliasFollowers(db: Db, workspaceId: string, ref: AliasRef) {
  const rows = await db.select({ slug: endpoints.slug }).from(endpoints).where(and(eq(endpoints.workspaceId, workspaceId), sql`${endpoints.follows} = ${JSON.stringify(ref)}::jsonb`));
  return rows.map((r) => r.slug);
}

/**
 * Deploys a model a run trained (a node's `model` or `final` output) at `slug`: registers it as
 * a model version named after the endpoint (once per run and node), then deploys that version.
 */
export async function deployRunModel(
  db: Db,
  artifacts: ArtifactStore,
  actor: Actor,
  workspaceId: string,
  input: { runId: string; nodeId: string; port: string; slug: string; confirmSchemaChange?: boolean },
) {
  if (!SLUG.test(input.slug)) throw InvalidError.withProblems("invalid endpoint slug", [{ path: "slug", message: SLUG_MESSAGE }]);
  const [node] = await db
    .select({ outputs: runNodes.outputs, workspaceId: runs.workspaceId, metrics: runNodes.metrics })
    .from(runNodes)
    .innerJoin(runs, eq(runs.id, runNodes.runId))
    .where(and(eq(runNodes.runId, input.runId), eq(runNodes.nodeId, input.nodeId)));
  const model = node?.workspaceId === workspaceId ? node.outputs?.[input.port] : undefined;
  if (!model || model.kind !== "model") throw new NotFoundError(`run ${input.runId} has no model at ${input.nodeId}.${input.port}`);
  // Registered when it was trained; registering again finds that version (runs from before the registry get one now).
  const version = await registerModel(db, { runId: input.runId, nodeId: input.nodeId, port: input.port, model, metrics: node!.metrics, artifacts });
  if (!version) throw new NotFoundError(`run ${input.runId} not found`);
  return deployVersion(db, artifacts, actor, workspaceId, input.slug, { modelVersionId: version.id, confirmSchemaChange: input.confirmSchemaChange });
}

export async function listRevisions(db: Db, workspaceId: string, slug: string) {
  const endpoint = await endpointIn(db, workspaceId, slug);
  const rows = await db
    .select({
      revision: deployments.revision,
      kind: deployments.kind,
      traffic: deployments.traffic,
      createdAt: deployments.createdAt,
      runId: deployments.runId,
      modelVersionId: modelVersions.id,
      model: modelVersions.name,
      version: modelVersions.version,
      metrics: modelVersions.metrics,
      actor: users.email,
    })
    .from(deployments)
    .innerJoin(modelVersions, eq(modelVersions.id, deployments.modelVersionId))
    .leftJoin(users, eq(users.id, deployments.actorUserId))
    .where(eq(deployments.endpointId, endpoint.id))
    .orderBy(desc(deployments.revision));
  return { slug, live: endpoint.revision, revisions: rows.map((r) => ({ ...r, live: r.revision === endpoint.revision })) };
}

/** Serves again what revision `revision` served (its model version and traffic split), as a new revision. */
export async function rollback(db: Db, artifacts: ArtifactStore, actor: Actor, workspaceId: string, slug: string, input: { revision: number; confirmSchemaChange?: boolean }) {
  const endpoint = await endpointIn(db, workspaceId, slug);
  const [target] = await db.select().from(deployments).where(and(eq(deployments.endpointId, endpoint.id), eq(deployments.revision, input.revision)));
  if (!target) throw new NotFoundError(`endpoint '${slug}' has no revision ${input.revision}`);
  if (input.revision === endpoint.revision) throw new ConflictError(`revision ${input.revision} is already live`);
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(endpoints).where(eq(endpoints.id, endpoint.id)).for("update");
    const target_ = await versionIn(tx as unknown as Db, workspaceId, target.modelVersionId);
    const changes = new Set<string>();
    for (const id of servingVersionIds({ modelVersionId: target.modelVersionId, traffic: target.traffic })) {
      const v = id === target_.id ? target_ : await versionIn(tx as unknown as Db, workspaceId, id);
      for (const c of await breakingChanges(tx, artifacts, servingVersionIds(locked!), v)) changes.add(c);
    }
    confirmBreaking([...changes], input.confirmSchemaChange, slug);
    const revision = await publishRevision(tx, { endpointId: endpoint.id, modelVersionId: target.modelVersionId, traffic: target.traffic, kind: "rollback", actorUserId: actor.userId });
    await recordAudit(tx as unknown as Db, { action: "rollback", workspaceId, ...auditActor(actor), target: slug, details: { to: input.revision, revision, modelVersion: target_.version } });
    return { revision, modelVersion: { id: target_.id, name: target_.name, version: target_.version } };
  });
}

/**
 * Splits traffic between model versions (weights, normalised) with optional shadows. Every
 * variant must be a version of this workspace with the same task, and a schema every caller
 * of the endpoint can keep using (or the change confirmed). The first live variant with the
 * largest weight becomes the endpoint's own version (its schema and OpenAPI).
 */
export async function setTraffic(db: Db, artifacts: ArtifactStore, actor: Actor, workspaceId: string, slug: string, input: { variants: TrafficVariant[]; confirmSchemaChange?: boolean }) {
  const endpoint = await endpointIn(db, workspaceId, slug);
  const variants = input.variants;
  const problems: { path: string; message: string }[] = [];
  if (!variants.length) problems.push({ path: "variants", message: "name at least one model version" });
  if (new Set(variants.map((v) => v.modelVersionId)).size !== variants.length) problems.push({ path: "variants", message: "a model version appears twice" });
  variants.forEach((v, i) => {
    if (!(Number.isFinite(v.weight) && v.weight >= 0)) problems.push({ path: `variants.${i}.weight`, message: "must be a number ≥ 0" });
    if (v.shadow && v.weight !== 0) problems.push({ path: `variants.${i}.weight`, message: "a shadow answers no one: its weight must be 0" });
  });
  const live = variants.filter((v) => !v.shadow);
  if (!live.some((v) => v.weight > 0)) problems.push({ path: "variants", message: "at least one variant that is not a shadow needs a weight above 0" });
  if (problems.length) throw InvalidError.withProblems(problems.map((p) => `${p.path}: ${p.message}`).join("; "), problems);
  const versions = await Promise.all(variants.map((v) => versionIn(db, workspaceId, v.modelVersionId)));
  const tasks = new Set(versions.map((v) => v.task));
  if (tasks.size > 1) throw new InvalidError("every variant must have the same task (all classifiers or all regressors)");
  const primary = [...live].sort((a, b) => b.weight - a.weight)[0]!;
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(endpoints).where(eq(endpoints.id, endpoint.id)).for("update");
    const changes = new Set<string>();
    for (const v of versions.filter((x) => live.some((l) => l.modelVersionId === x.id))) for (const c of await breakingChanges(tx, artifacts, servingVersionIds(locked!), v)) changes.add(c);
    confirmBreaking([...changes], input.confirmSchemaChange, slug);
    const total = live.reduce((s, v) => s + v.weight, 0);
    const traffic = variants.map((v) => ({ modelVersionId: v.modelVersionId, weight: v.shadow ? 0 : v.weight / total, ...(v.shadow ? { shadow: true } : {}), ...(v.guardrail ? { guardrail: v.guardrail } : {}) }));
    const revision = await publishRevision(tx, { endpointId: endpoint.id, modelVersionId: primary.modelVersionId, traffic, kind: "traffic", actorUserId: actor.userId });
    await recordAudit(tx as unknown as Db, {
      action: "traffic",
      workspaceId,
      ...auditActor(actor),
      target: slug,
      details: { revision, variants: traffic.map((t) => ({ ...t, version: versions.find((v) => v.id === t.modelVersionId)!.version })) },
    });
    return { revision, traffic };
  });
}

export async function setEndpointSettings(db: Db, actor: Actor, workspaceId: string, slug: string, input: { access?: EndpointAccess; logSample?: number }) {
  const endpoint = await endpointIn(db, workspaceId, slug);
  if (input.logSample !== undefined && !(input.logSample >= 0 && input.logSample <= 1)) throw InvalidError.withProblems("logSample must be between 0 and 1", [{ path: "logSample", message: "between 0 (log nothing) and 1 (log every request)" }]);
  const [row] = await db
    .update(endpoints)
    .set({ ...(input.access ? { access: input.access } : {}), ...(input.logSample !== undefined ? { logSample: input.logSample } : {}), updatedAt: new Date() })
    .where(eq(endpoints.id, endpoint.id))
    .returning({ access: endpoints.access, logSample: endpoints.logSample });
  await recordAudit(db, { action: "endpoint.settings", workspaceId, ...auditActor(actor), target: slug, details: { ...input } });
  return row!;
}

export async function endpointPerformance(db: Db, workspaceId: string, slug: string, since?: Date) {
  const endpoint = await endpointIn(db, workspaceId, slug);
  const [v] = await db.select({ task: modelVersions.task }).from(modelVersions).where(eq(modelVersions.id, endpoint.modelVersionId));
  return { slug, task: v!.task, versions: await liveScores(db, endpoint.id, v!.task, since) };
}

// ---------------------------------------------------------------------------------------------
// Serving keys: shown once, stored as SHA-256, for a workspace's endpoints or some of them.

export async function createServingKey(db: Db, actor: Actor, workspaceId: string, input: { name: string; endpoints?: string[] | null; rateLimit?: number | null }) {
  const name = input.name.trim();
  if (!name) throw InvalidError.withProblems("a key needs a name", [{ path: "name", message: "is empty" }]);
  if (input.rateLimit != null && !(Number.isInteger(input.rateLimit) && input.rateLimit >= 1 && input.rateLimit <= 1_000_000)) {
    throw InvalidError.withProblems("invalid rate limit", [{ path: "rateLimit", message: "requests per minute, 1 to 1000000 (or none)" }]);
  }
  const slugs = input.endpoints?.length ? [...new Set(input.endpoints)] : null;
  if (slugs) {
    const mine = new Set((await db.select({ slug: endpoints.slug }).from(endpoints).where(eq(endpoints.workspaceId, workspaceId))).map((r) => r.slug));
    const unknown = slugs.filter((s) => !mine.has(s));
    if (unknown.length) throw InvalidError.withProblems(`no endpoint ${unknown.map((s) => `'${s}'`).join(", ")} in this workspace`, [{ path: "endpoints", message: `unknown: ${unknown.join(", ")}` }]);
  }
  const { token, hash, prefix } = newToken("mrk");
  const [row] = await db.insert(servingKeys).values({ workspaceId, name, prefix, hash, endpoints: slugs, rateLimit: input.rateLimit ?? null, createdBy: actor.userId }).returning();
  await recordAudit(db, { action: "serving-key.create", workspaceId, ...auditActor(actor), target: row!.id, details: { name, endpoints: slugs, rateLimit: row!.rateLimit } });
  return { id: row!.id, key: token, prefix, name, endpoints: slugs, rateLimit: row!.rateLimit };
}

export const listServingKeys = (db: Db, workspaceId: string) =>
  db
    .select({
      id: servingKeys.id,
      name: servingKeys.name,
      prefix: servingKeys.prefix,
      endpoints: servingKeys.endpoints,
      rateLimit: servingKeys.rateLimit,
      createdAt: servingKeys.createdAt,
      lastUsedAt: servingKeys.lastUsedAt,
      revokedAt: servingKeys.revokedAt,
    })
    .from(servingKeys)
    .where(eq(servingKeys.workspaceId, workspaceId))
    .orderBy(desc(servingKeys.createdAt));

/** Revokes a key of the workspace; revoking it again changes nothing (DELETE is idempotent). */
export async function revokeServingKey(db: Db, actor: Actor, workspaceId: string, id: string) {
  const [row] = await db.select().from(servingKeys).where(and(eq(servingKeys.id, id), eq(servingKeys.workspaceId, workspaceId)));
  if (!row) throw new NotFoundError(`serving key ${id} not found`);
  if (row.revokedAt) return;
  await db.update(servingKeys).set({ revokedAt: new Date() }).where(and(eq(servingKeys.id, id), isNull(servingKeys.revokedAt)));
  await recordAudit(db, { action: "serving-key.revoke", workspaceId, ...auditActor(actor), target: id, details: { name: row.name } });
}
