import { and, eq, max, sql } from "drizzle-orm";
import { deployments, endpoints, modelVersions } from "../../../db/schema";
import { input, type Executor } from "../executor";
import type { NodeConfig } from "..";

/**
 * Registers the model version and points the endpoint at it, in one transaction keyed by
 * (run, node): a retried or replayed activity finds its earlier version instead of adding one.
 */
export const executeDeployEndpoint: Executor<NodeConfig<"deploy-endpoint">> = async (ctx) => {
  const { config, db, runId, nodeId } = ctx;
  const model = input(ctx, "model", "model");
  const metrics = ctx.inputs.metrics?.kind === "metrics" ? ctx.inputs.metrics.values : null;
  const slug = config.slug;

  const mv = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`deploy:${slug}`}))`);
    let [version] = await tx
      .select()
      .from(modelVersions)
      .where(and(eq(modelVersions.runId, runId), eq(modelVersions.nodeId, nodeId)));
    if (!version) {
      const [latest] = await tx.select({ v: max(modelVersions.version) }).from(modelVersions).where(eq(modelVersions.name, slug));
      [version] = await tx
        .insert(modelVersions)
        .values({ name: slug, version: (latest?.v ?? 0) + 1, runId, nodeId, artifactUri: model.uri, task: model.task, metrics })
        .returning();
    }
    const [endpoint] = await tx
      .insert(endpoints)
      .values({ slug, modelVersionId: version!.id })
      .onConflictDoUpdate({ target: endpoints.slug, set: { modelVersionId: version!.id, updatedAt: new Date() } })
      .returning();
    await tx
      .insert(deployments)
      .values({ endpointId: endpoint!.id, modelVersionId: version!.id, runId, nodeId })
      .onConflictDoNothing();
    return version!;
  });
  return { outputs: { endpoint: { kind: "endpoint", slug, modelVersionId: mv.id, modelVersion: mv.version } } };
};
