/**
 * The model registry, read and alias side: registered models of a workspace, their versions
 * with lineage (pipeline → run → version → the endpoints and revisions serving it), metrics and
 * input signature, and aliases (`champion`, `challenger`, custom) that point at a version.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { deployments, endpoints, modelAliases, modelVersions, pipelines, retrainings } from "~/db/schema";
import { ConflictError, InvalidError, NotFoundError } from "~/lib/errors";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { recordAudit } from "~/workflows/audit";
import { auditActor, type Actor } from "../auth/policy";
import { aliasFollowers, followAliasMove } from "../endpoints/service";

const ALIAS = /^[a-z][a-z0-9-]{0,39}$/;

export async function listModels(db: Db, workspaceId: string) {
  const rows = await db
    .select({
      name: modelVersions.name,
      latestVersion: sql<number>`max(${modelVersions.version})`.mapWith(Number),
      versions: sql<number>`count(*)`.mapWith(Number),
      task: sql<string>`min(${modelVersions.task})`,
      updatedAt: sql<Date>`max(${modelVersions.createdAt})`.mapWith((v) => new Date(v as string)),
    })
    .from(modelVersions)
    .where(eq(modelVersions.workspaceId, workspaceId))
    .groupBy(modelVersions.name)
    .orderBy(desc(sql`max(${modelVersions.createdAt})`));
  const aliases = rows.length ? await db.select().from(modelAliases).where(and(eq(modelAliases.workspaceId, workspaceId), inArray(modelAliases.name, rows.map((r) => r.name)))) : [];
  const versionIds = [...new Set(aliases.map((a) => a.modelVersionId))];
  const numbers = versionIds.length ? await db.select({ id: modelVersions.id, version: modelVersions.version }).from(modelVersions).where(inArray(modelVersions.id, versionIds)) : [];
  const numberOf = new Map(numbers.map((n) => [n.id, n.version]));
  return rows.map((r) => ({
    ...r,
    aliases: Object.fromEntries(aliases.filter((a) => a.name === r.name).map((a) => [a.alias, numberOf.get(a.modelVersionId)!])),
  }));
}

/** A model's versions, newest first, with where each came from and where it is served. */
export async function modelVersionsOf(db: Db, workspaceId: string, name: string) {
  const versions = await db
    .select({
      id: modelVersions.id,
      version: modelVersions.version,
      task: modelVersions.task,
      runId: modelVersions.runId,
      nodeId: modelVersions.nodeId,
      pipelineId: modelVersions.pipelineId,
      pipelineName: pipelines.name,
      metrics: modelVersions.metrics,
      signature: modelVersions.inputSchema,
      createdAt: modelVersions.createdAt,
    })
    .from(modelVersions)
    .leftJoin(pipelines, eq(pipelines.id, modelVersions.pipelineId))
    .where(and(eq(modelVersions.workspaceId, workspaceId), eq(modelVersions.name, name)))
    .orderBy(desc(modelVersions.version));
  if (!versions.length) throw new NotFoundError(`no model '${name}'`);
  const ids = versions.map((v) => v.id);
  const aliases = await db.select().from(modelAliases).where(and(eq(modelAliases.workspaceId, workspaceId), eq(modelAliases.name, name)));
  // Endpoints serving a version now, and every revision that ever served it.
  const live = await db.select({ slug: endpoints.slug, modelVersionId: endpoints.modelVersionId, traffic: endpoints.traffic }).from(endpoints).where(eq(endpoints.workspaceId, workspaceId));
  const revisions = await db
    .select({ slug: endpoints.slug, revision: deployments.revision, modelVersionId: deployments.modelVersionId, createdAt: deployments.createdAt })
    .from(deployments)
    .innerJoin(endpoints, eq(endpoints.id, deployments.endpointId))
    .where(inArray(deployments.modelVersionId, ids));
  // Retraining verdicts on these versions, as challenger: gated out, kept after shadowing, or promoted.
  const verdicts = ids.length
    ? await db
        .select({ id: retrainings.id, slug: endpoints.slug, challengerVersionId: retrainings.challengerVersionId, status: retrainings.status, decisions: retrainings.decisions })
        .from(retrainings)
        .innerJoin(endpoints, eq(endpoints.id, retrainings.endpointId))
        .where(inArray(retrainings.challengerVersionId, ids))
    : [];
  return {
    name,
    versions: versions.map((v) => ({
      ...v,
      aliases: aliases.filter((a) => a.modelVersionId === v.id).map((a) => a.alias),
      servedBy: live.filter((e) => e.modelVersionId === v.id || (e.traffic ?? []).some((t) => t.modelVersionId === v.id)).map((e) => e.slug),
      revisions: revisions.filter((r) => r.modelVersionId === v.id).map((r) => ({ slug: r.slug, revision: r.revision, createdAt: r.createdAt })),
      retraining: verdicts
        .filter((r) => r.challengerVersionId === v.id)
        .map((r) => ({ slug: r.slug, status: r.status, decision: r.decisions.filter((d) => d.step !== "alarm" && d.step !== "retrain").at(-1)?.text ?? null })),
    })),
  };
}

/**
 * Points an alias at a version (moving it if it pointed elsewhere). Endpoints deployed by this
 * alias follow it: each serves the new version in a new revision, in the same transaction — a
 * move that would break their callers is refused, alias unmoved, unless confirmed.
 */
export async function setAlias(db: Db, artifacts: ArtifactStore, actor: Actor, workspaceId: string, name: string, alias: string, version: number, opts: { confirmSchemaChange?: boolean } = {}) {
  if (!ALIAS.test(alias)) throw InvalidError.withProblems("invalid alias", [{ path: "alias", message: "lower-case letters, digits and '-', starting with a letter (at most 40)" }]);
  const [v] = await db
    .select({ id: modelVersions.id })
    .from(modelVersions)
    .where(and(eq(modelVersions.workspaceId, workspaceId), eq(modelVersions.name, name), eq(modelVersions.version, version)));
  if (!v) throw new NotFoundError(`model '${name}' has no version ${version}`);
  return db.transaction(async (tx) => {
    await tx
      .insert(modelAliases)
      .values({ name, alias, workspaceId, modelVersionId: v.id })
      .onConflictDoUpdate({ target: [modelAliases.name, modelAliases.alias], set: { modelVersionId: v.id, updatedAt: new Date() } });
    const deployed = await followAliasMove(tx, artifacts, actor, workspaceId, { model: name, alias }, v.id, opts.confirmSchemaChange);
    await recordAudit(tx as unknown as Db, { action: "model.alias", workspaceId, ...auditActor(actor), target: `${name}@${alias}`, details: { version, deployed } });
    return { name, alias, version, deployed };
  });
}

export async function removeAlias(db: Db, actor: Actor, workspaceId: string, name: string, alias: string) {
  if (!ALIAS.test(alias)) throw InvalidError.withProblems("invalid alias", [{ path: "alias", message: "no alias can be written so" }]);
  const followers = await aliasFollowers(db, workspaceId, { model: name, alias });
  if (followers.length) {
    throw new ConflictError(`endpoints ${followers.map((f) => `/${f}`).join(", ")} follow ${name}@${alias}; deploy a model version to them first (they then stop following it)`, { followers });
  }
  const [gone] = await db
    .delete(modelAliases)
    .where(and(eq(modelAliases.workspaceId, workspaceId), eq(modelAliases.name, name), eq(modelAliases.alias, alias)))
    .returning();
  if (!gone) throw new NotFoundError(`model '${name}' has no alias '${alias}'`);
  await recordAudit(db, { action: "model.alias.remove", workspaceId, ...auditActor(actor), target: `${name}@${alias}`, details: {} });
}
