import { and, eq, max, sql } from "drizzle-orm";
import { deployments, endpoints, modelVersions, pipelines, runs } from "~/db/schema";
import { UserError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { readModelMeta } from "~/workflows/model/model-file";
import { inputColumns, signatureChanges, type InputField } from "~/workflows/model/signature";
import { defineExecutor, input } from "../executor";
import { spec } from "./spec";

/**
 * Registers the model version and points the endpoint at it, in one transaction keyed by
 * (run, node): a retried or replayed activity finds its earlier version instead of adding one.
 * An endpoint another pipeline serves, or whose callers' input would change, is refused unless
 * the node says to take it over.
 */
export const executor = defineExecutor(spec, {
  async execute(ctx) {
    const { config, db, runId, nodeId, artifacts } = ctx;
    const model = input(ctx, "model", "model");
    const metrics = ctx.inputs.metrics?.kind === "metrics" ? ctx.inputs.metrics.values : null;
    const slug = config.slug;
    // Models trained before references carried their signature: read it from the file's header.
    const signature = (model.signature as InputField[] | undefined) ?? inputColumns(readModelMeta(await artifacts.getBytes(model.uri)));
    const [run] = await db.select({ pipelineId: runs.pipelineId }).from(runs).where(eq(runs.id, runId));
    const pipelineId = run?.pipelineId ?? null;
    const { workspaceId } = ctx;

    const mv = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`deploy:${slug}`}))`);
      let [version] = await tx
        .select()
        .from(modelVersions)
        .where(and(eq(modelVersions.runId, runId), eq(modelVersions.nodeId, nodeId)));
      const [current] = await tx
        .select({
          workspaceId: endpoints.workspaceId,
          pipelineId: endpoints.pipelineId,
          pipelineName: pipelines.name,
          modelVersionId: endpoints.modelVersionId,
          inputSchema: modelVersions.inputSchema,
          task: modelVersions.task,
          artifactUri: modelVersions.artifactUri,
        })
        .from(endpoints)
        .innerJoin(modelVersions, eq(modelVersions.id, endpoints.modelVersionId))
        .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId))
        .where(eq(endpoints.slug, slug));
      // Slugs are one namespace; another workspace's endpoint is never taken over.
      if (current && current.workspaceId !== workspaceId) throw new UserError(`endpoint '${slug}' belongs to another workspace; choose another slug`);
      if (current && current.modelVersionId !== version?.id && !config.takeOver) {
        if (current.pipelineId && current.pipelineId !== pipelineId) {
          throw new UserError(
            `endpoint '${slug}' is served by pipeline '${current.pipelineName ?? current.pipelineId}'; choose another slug or tick 'Take over the endpoint'`,
          );
        }
        const serving: InputField[] = current.inputSchema ?? inputColumns(readModelMeta(await artifacts.getBytes(current.artifactUri)));
        const changes = signatureChanges(serving, signature);
        // What callers get back changes too when a classifier becomes a regressor or back.
        if (current.task !== model.task) changes.push(`its predictions change from ${current.task === "classification" ? "classes" : "numbers"} to ${model.task === "classification" ? "classes" : "numbers"}`);
        if (changes.length) {
          throw new UserError(
            `deploying would change what endpoint '${slug}' accepts or answers (${changes.join("; ")}); tick 'Take over the endpoint' to deploy anyway`,
          );
        }
      }
      if (!version) {
        const [latest] = await tx.select({ v: max(modelVersions.version) }).from(modelVersions).where(eq(modelVersions.name, slug));
        [version] = await tx
          .insert(modelVersions)
          .values({
            workspaceId,
            name: slug,
            version: (latest?.v ?? 0) + 1,
            runId,
            nodeId,
            artifactUri: model.uri,
            task: model.task,
            metrics,
            inputSchema: signature,
          })
          .returning();
      }
      const [endpoint] = await tx
        .insert(endpoints)
        .values({ workspaceId, slug, modelVersionId: version!.id, pipelineId, unknownFields: config.unknownFields })
        .onConflictDoUpdate({ target: endpoints.slug, set: { modelVersionId: version!.id, pipelineId, unknownFields: config.unknownFields, updatedAt: new Date() } })
        .returning();
      const [deployment] = await tx
        .insert(deployments)
        .values({ endpointId: endpoint!.id, modelVersionId: version!.id, runId, nodeId })
        .onConflictDoNothing()
        .returning();
      // Recorded once, with the deployment (a replayed activity inserts neither).
      if (deployment) {
        await recordAudit(tx as unknown as typeof db, {
          action: "deploy",
          workspaceId,
          actorUserId: ctx.startedBy,
          target: slug,
          details: { modelVersion: version!.version, runId, pipelineId, takeOver: config.takeOver },
        });
      }
      return version!;
    });
    return { outputs: { endpoint: { kind: "endpoint", slug, modelVersionId: mv.id, modelVersion: mv.version } } };
  },
});
