/**
 * The one place that changes what an endpoint serves. Every change — a deploy node, a deploy or
 * rollback from the UI or the API, a new traffic split — appends a numbered revision to the
 * endpoint's history (`deployment`) and points the endpoint at it, in the caller's transaction,
 * with the endpoint's row locked so concurrent changes get consecutive numbers. The database's
 * trigger on `endpoint` then tells every serving process (server/serving/runtime.ts).
 */
import { eq, inArray, max } from "drizzle-orm";
import type { Db } from "~/db/client";
import { deployments, endpoints, modelVersions, type AliasRef, type RevisionKind, type TrafficVariant } from "~/db/schema";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { readModelMeta } from "~/workflows/model/model-file";
import { inputColumns, signatureChanges, type InputField } from "~/workflows/model/signature";

export type Tx = Pick<Db, "select" | "insert" | "update" | "execute">;

export interface RevisionChange {
  endpointId: string;
  modelVersionId: string;
  traffic: TrafficVariant[] | null;
  kind: RevisionKind;
  /** The alias the endpoint follows from now on; any other revision pins what it serves (null). */
  follows?: AliasRef | null;
  runId?: string | null;
  nodeId?: string | null;
  actorUserId?: string | null;
}

export async function publishRevision(tx: Tx, c: RevisionChange): Promise<number> {
  const [cur] = await tx.select({ revision: endpoints.revision }).from(endpoints).where(eq(endpoints.id, c.endpointId)).for("update");
  if (!cur) throw new Error(`endpoint ${c.endpointId} does not exist`);
  const [last] = await tx.select({ r: max(deployments.revision) }).from(deployments).where(eq(deployments.endpointId, c.endpointId));
  const revision = Math.max(cur.revision, last?.r ?? 0) + 1;
  await tx.insert(deployments).values({
    endpointId: c.endpointId,
    modelVersionId: c.modelVersionId,
    runId: c.runId ?? null,
    nodeId: c.nodeId ?? null,
    revision,
    kind: c.kind,
    traffic: c.traffic,
    actorUserId: c.actorUserId ?? null,
  });
  await tx
    .update(endpoints)
    .set({ modelVersionId: c.modelVersionId, traffic: c.traffic, follows: c.follows ?? null, revision, updatedAt: new Date() })
    .where(eq(endpoints.id, c.endpointId));
  return revision;
}

/** A model version's input signature (older versions carry it only in their file's header). */
async function signatureOf(artifacts: ArtifactStore, v: { inputSchema: InputField[] | null; artifactUri: string }): Promise<InputField[]> {
  return v.inputSchema ?? inputColumns(readModelMeta(await artifacts.getBytes(v.artifactUri)));
}

/**
 * What would change for an endpoint's callers if `next` replaced the versions it serves now:
 * fields it would start requiring or refuse, types that change, and predictions that change
 * from classes to numbers or back. Empty when the switch is safe.
 */
export async function breakingChanges(tx: Tx, artifacts: ArtifactStore, servingIds: string[], next: { task: string; inputSchema: InputField[] | null; artifactUri: string }): Promise<string[]> {
  if (!servingIds.length) return [];
  const current = await tx
    .select({ id: modelVersions.id, task: modelVersions.task, inputSchema: modelVersions.inputSchema, artifactUri: modelVersions.artifactUri })
    .from(modelVersions)
    .where(inArray(modelVersions.id, servingIds));
  const nextSignature = await signatureOf(artifacts, next);
  const changes = new Set<string>();
  for (const v of current) {
    for (const c of signatureChanges(await signatureOf(artifacts, v), nextSignature)) changes.add(c);
    if (v.task !== next.task) changes.add(`its predictions change from ${v.task === "classification" ? "classes" : "numbers"} to ${next.task === "classification" ? "classes" : "numbers"}`);
  }
  return [...changes];
}

/** The model versions an endpoint's callers talk to now: its own and every live variant of its split (not shadows). */
export const servingVersionIds = (e: { modelVersionId: string; traffic: TrafficVariant[] | null }) => [
  ...new Set([e.modelVersionId, ...(e.traffic ?? []).filter((t) => !t.shadow).map((t) => t.modelVersionId)]),
];
