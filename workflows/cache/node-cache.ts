/**
 * Reusing a node's output from an earlier run. A node's output is determined by its type (and
 * the executor's version), its config and the artifacts it reads, so those — hashed, within a
 * workspace — are the cache key; artifact URIs name one run's output each, so a downstream node
 * hits only when everything upstream was reused too. A hit is used only while its artifacts still
 * exist. Whether or not a node is reused, the run page says why, from the last output this
 * pipeline node cached: "config changed: maxDepth 16 → 32", "input changed: dataset".
 */
import { createHash } from "node:crypto";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { nodeCache, type NodeCacheOutcome } from "~/db/schema";
import type { ArtifactRef, PlanNode } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { getSpec } from "~/workflows/nodes/registry";

/** JSON with object keys sorted: the same config always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** What an input is, for the key: an artifact's URI, or (metrics, endpoints) its content. */
const inputIdentity = (ref: ArtifactRef) => ("uri" in ref ? ref.uri : canonical(ref));

const inputIdentities = (inputs: Record<string, ArtifactRef>) => Object.fromEntries(Object.entries(inputs).map(([port, ref]) => [port, inputIdentity(ref)]));

export function cacheKey(workspaceId: string, node: Pick<PlanNode, "type" | "config">, inputs: Record<string, ArtifactRef>): string {
  const version = getSpec(node.type)?.version ?? 1;
  return createHash("sha256").update(canonical({ workspaceId, type: node.type, version, config: node.config, inputs: inputIdentities(inputs) })).digest("hex");
}

const shown = (v: unknown) => {
  const text = v === undefined ? "unset" : typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/** Why a node runs, against the last output it cached in this pipeline (`undefined`: none yet). */
export function whyItRuns(prev: { type: string; config: Record<string, unknown>; inputs: Record<string, string> } | undefined, node: Pick<PlanNode, "type" | "config">, inputs: Record<string, string>): string {
  if (!prev) return "no earlier output of this node";
  if (prev.type !== node.type) return `node type changed: ${prev.type} → ${node.type}`;
  const fields = [...new Set([...Object.keys(prev.config), ...Object.keys(node.config)])].sort().filter((k) => canonical(prev.config[k]) !== canonical(node.config[k]));
  if (fields.length) {
    const listed = fields.slice(0, 3).map((k) => `${k} ${shown(prev.config[k])} → ${shown(node.config[k])}`);
    return `config changed: ${listed.join("; ")}${fields.length > 3 ? ` (and ${fields.length - 3} more)` : ""}`;
  }
  const ports = [...new Set([...Object.keys(prev.inputs), ...Object.keys(inputs)])].sort().filter((p) => prev.inputs[p] !== inputs[p]);
  if (ports.length) return `input changed: ${ports.join(", ")} (an upstream node ran again)`;
  return "this node type's executor changed since its last output";
}

interface Lookup {
  workspaceId: string;
  pipelineId: string;
  useCache: boolean;
  node: PlanNode;
  inputs: Record<string, ArtifactRef>;
}

/** The earlier output to reuse, or why the node has to run. */
export async function lookUp(db: Db, artifacts: ArtifactStore, l: Lookup): Promise<{ hit: typeof nodeCache.$inferSelect; outcome: NodeCacheOutcome } | { hit: null; outcome: NodeCacheOutcome }> {
  const spec = getSpec(l.node.type);
  if (spec?.cache === false) return { hit: null, outcome: { reason: "never reused: it has effects outside the run, or reads data that can change" } };
  if (!l.useCache) return { hit: null, outcome: { reason: "cache ignored for this run" } };
  const key = cacheKey(l.workspaceId, l.node, l.inputs);
  const [entry] = await db.select().from(nodeCache).where(eq(nodeCache.key, key));
  if (entry) {
    const present = await Promise.all(
      Object.values(entry.outputs).map((ref) =>
        "uri" in ref
          ? artifacts.localPath(ref.uri).then(
              () => true,
              () => false,
            )
          : Promise.resolve(true),
      ),
    );
    if (present.every(Boolean)) {
      await db.update(nodeCache).set({ lastUsedAt: new Date() }).where(eq(nodeCache.key, key));
      return { hit: entry, outcome: { reusedFrom: { runId: entry.runId, nodeId: entry.nodeId }, reason: "reused: same config and inputs as an earlier run" } };
    }
    await db.delete(nodeCache).where(eq(nodeCache.key, key));
    return { hit: null, outcome: { reason: "its earlier output is no longer in the artifact store" } };
  }
  const [prev] = await db
    .select()
    .from(nodeCache)
    .where(and(eq(nodeCache.pipelineId, l.pipelineId), eq(nodeCache.nodeId, l.node.id), ne(nodeCache.key, key)))
    .orderBy(desc(nodeCache.createdAt))
    .limit(1);
  return { hit: null, outcome: { reason: whyItRuns(prev, l.node, inputIdentities(l.inputs)) } };
}

/** Keeps what a node produced for later runs (a node type that is never reused is not kept). */
export async function remember(
  db: Db,
  r: { workspaceId: string; pipelineId: string; runId: string; node: PlanNode; inputs: Record<string, ArtifactRef>; outputs: Record<string, ArtifactRef>; metrics: Record<string, number> | null | undefined },
) {
  if (getSpec(r.node.type)?.cache === false) return;
  const key = cacheKey(r.workspaceId, r.node, r.inputs);
  await db
    .insert(nodeCache)
    .values({
      key,
      workspaceId: r.workspaceId,
      pipelineId: r.pipelineId,
      nodeId: r.node.id,
      type: r.node.type,
      config: r.node.config,
      inputs: inputIdentities(r.inputs),
      outputs: r.outputs,
      metrics: r.metrics ?? null,
      runId: r.runId,
    })
    .onConflictDoUpdate({ target: nodeCache.key, set: { outputs: r.outputs, metrics: r.metrics ?? null, runId: r.runId, nodeId: r.node.id, createdAt: sql`now()`, lastUsedAt: sql`now()` } });
}

/** Forgets a pipeline node's cached outputs: its next run computes it again. Returns how many were forgotten. */
export async function forget(db: Db, pipelineId: string, nodeId: string): Promise<number> {
  const gone = await db.delete(nodeCache).where(and(eq(nodeCache.pipelineId, pipelineId), eq(nodeCache.nodeId, nodeId))).returning({ key: nodeCache.key });
  return gone.length;
}
