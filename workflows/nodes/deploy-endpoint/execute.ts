import { and, eq, sql } from "drizzle-orm";
import { deployments, endpoints, modelVersions, pipelines, runs } from "~/db/schema";
import { UserError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { readModelMeta } from "~/workflows/model/model-file";
import { inputColumns, type InputField } from "~/workflows/model/signature";
import { breakingChanges, publishRevision, servingVersionIds } from "~/workflows/endpoints/revisions";
import { registerModel } from "~/workflows/models/registry";
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
    const [run] = await db.select({ pipelineId: runs.pipelineId, purpose: runs.purpose }).from(runs).where(eq(runs.id, runId));
    const pipelineId = run?.pipelineId ?? null;
    const { workspaceId } = ctx;

    // The version the registry made when the model was trained in this run (registering finds it;
    // a model from elsewhere becomes a version here, once).
    const version = await registerModel(db, { runId, nodeId, port: "model", model: { ...model, signature }, metrics });
    if (!version) throw new UserError(`run ${runId} is not recorded; it cannot deploy`);
    if (run?.purpose === "retrain") {
      // A retraining run trains a challenger: the retraining workflow gates and shadows it before it serves.
      ctx.log(`challenger ${version.name} v${version.version} registered; /${slug} is not changed (the retraining loop gates it)`, { slug, version: version.version });
      return { outputs: { endpoint: { kind: "endpoint", slug, modelVersionId: version.id, modelVersion: version.version } } };
    }

    const mv = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`deploy:${slug}`}))`);
      // A retried or replayed activity finds the revision it made before and changes nothing.
      const [done] = await tx
        .select({ version: modelVersions })
        .from(deployments)
        .innerJoin(modelVersions, eq(modelVersions.id, deployments.modelVersionId))
        .where(and(eq(deployments.runId, runId), eq(deployments.nodeId, nodeId)));
      if (done) return done.version;
      const [current] = await tx
        .select({
          id: endpoints.id,
          workspaceId: endpoints.workspaceId,
          pipelineId: endpoints.pipelineId,
          pipelineName: pipelines.name,
          modelVersionId: endpoints.modelVersionId,
          traffic: endpoints.traffic,
        })
        .from(endpoints)
        .leftJoin(pipelines, eq(pipelines.id, endpoints.pipelineId))
        .where(eq(endpoints.slug, slug));
      // Slugs are one namespace; another workspace's endpoint is never taken over.
      if (current && current.workspaceId !== workspaceId) throw new UserError(`endpoint '${slug}' belongs to another workspace; choose another slug`);
      if (current && !config.takeOver) {
        if (current.pipelineId && current.pipelineId !== pipelineId) {
          throw new UserError(
            `endpoint '${slug}' is served by pipeline '${current.pipelineName ?? current.pipelineId}'; choose another slug or tick 'Take over the endpoint'`,
          );
        }
        const changes = await breakingChanges(tx, artifacts, servingVersionIds(current), { task: model.task, inputSchema: signature, artifactUri: model.uri });
        if (changes.length) {
          throw new UserError(
            `deploying would change what endpoint '${slug}' accepts or answers (${changes.join("; ")}); tick 'Take over the endpoint' to deploy anyway`,
          );
        }
      }
      let endpointId = current?.id;
      if (!endpointId) {
        // The node's access applies to the endpoint it creates; later the endpoint's own setting rules.
        const [created] = await tx.insert(endpoints).values({ workspaceId, slug, modelVersionId: version.id, pipelineId, unknownFields: config.unknownFields, access: config.access, revision: 0 }).returning();
        endpointId = created!.id;
      } else {
        await tx.update(endpoints).set({ pipelineId, unknownFields: config.unknownFields }).where(eq(endpoints.id, endpointId));
      }
      // A deploy sends all traffic to the new version (an A/B split in place ends).
      const revision = await publishRevision(tx, { endpointId, modelVersionId: version.id, traffic: null, kind: "deploy", runId, nodeId, actorUserId: ctx.startedBy });
      await recordAudit(tx as unknown as typeof db, {
        action: "deploy",
        workspaceId,
        actorUserId: ctx.startedBy,
        target: slug,
        details: { modelVersion: version.version, revision, runId, pipelineId, takeOver: config.takeOver },
      });
      return version;
    });
    ctx.log(`/${slug} serves ${mv.name} v${mv.version}`, { slug, version: mv.version });
    return { outputs: { endpoint: { kind: "endpoint", slug, modelVersionId: mv.id, modelVersion: mv.version } } };
  },
});
