import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { endpoints, modelVersions } from "~/db/schema";
import { DomainError, InvalidError, NotFoundError } from "~/lib/errors";
import { env } from "~/lib/env";
import { listEndpoints } from "~/server/endpoints/repository";
import { deployFields, withOneDeployTarget, keyBody, rollbackBody, settingsBody, trafficBody } from "~/server/endpoints/requests";
import {
  createServingKey,
  deployRunModel,
  deployVersion,
  endpointPerformance,
  listRevisions,
  listServingKeys,
  revokeServingKey,
  rollback,
  setEndpointSettings,
  setTraffic,
} from "~/server/endpoints/service";
import { onDemandRuntime } from "~/server/serving/instance";
import { millraceBody } from "~/server/serving/http";
import { endpointOpenApi } from "~/server/serving/openapi";
import { millraceRows } from "~/server/serving/protocols";
import { artifactStore } from "~/workflows/artifacts";
import { endpointMonitoring, rangeOf } from "~/server/monitoring/service";
import { createTRPCRouter, resourceProcedure, workspaceProcedure } from "../trpc";

const slug = z.object({ slug: z.string().min(1).max(100) });

/**
 * The endpoint as it is now, loaded by this (app) process's on-demand runtime, for the UI — which
 * has a session, not a serving key. Only the endpoints the UI asks about are loaded here.
 */
async function served(slugName: string) {
  const runtime = onDemandRuntime();
  const s = await runtime.servedNow(slugName);
  if (!s) throw new NotFoundError(`no endpoint '${slugName}'`);
  return { runtime, s };
}

export const endpointRouter = createTRPCRouter({
  list: workspaceProcedure("read").query(({ ctx }) => listEndpoints(ctx.db, ctx.access.workspaceId)),

  /** Everything the endpoint page shows: settings, revision history, versions to deploy, live scores. */
  detail: resourceProcedure("read", "endpoint", "slug")
    .input(slug)
    .query(async ({ ctx, input }) => {
      const ws = ctx.access.workspaceId;
      const [e] = await ctx.db.select().from(endpoints).where(and(eq(endpoints.slug, input.slug), eq(endpoints.workspaceId, ws)));
      if (!e) throw new NotFoundError(`no endpoint '${input.slug}'`);
      const history = await listRevisions(ctx.db, ws, input.slug);
      const versions = await ctx.db
        .select({ id: modelVersions.id, name: modelVersions.name, version: modelVersions.version, task: modelVersions.task, metrics: modelVersions.metrics, runId: modelVersions.runId, createdAt: modelVersions.createdAt })
        .from(modelVersions)
        .where(eq(modelVersions.workspaceId, ws))
        .orderBy(desc(modelVersions.createdAt))
        .limit(200);
      const performance = await endpointPerformance(ctx.db, ws, input.slug);
      return {
        slug: e.slug,
        access: e.access,
        logSample: e.logSample,
        unknownFields: e.unknownFields,
        revision: e.revision,
        modelVersionId: e.modelVersionId,
        traffic: e.traffic,
        follows: e.follows,
        revisions: history.revisions,
        versions,
        performance: performance.versions,
        task: performance.task,
        url: `${env().publicUrl}/api/v1/endpoints/${e.slug}/predict`,
      };
    }),

  /** The monitoring page: traffic, latency and failures per minute, drift per feature against training, alarms. */
  monitoring: resourceProcedure("read", "endpoint", "slug")
    .input(slug.extend({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }))
    .query(({ ctx, input }) => endpointMonitoring(ctx.db, artifactStore(), ctx.access.workspaceId, input.slug, rangeOf(input))),

  /** The endpoint's OpenAPI document, for a signed-in member (the REST one needs a key when the endpoint is private). */
  openapi: resourceProcedure("read", "endpoint", "slug")
    .input(slug)
    .query(async ({ input }) => endpointOpenApi(env().publicUrl, (await served(input.slug)).s)),

  /** "Try it" from the UI: scored by the serving runtime's code, exactly as a keyed caller would be (and logged). */
  tryIt: resourceProcedure("read", "endpoint", "slug")
    .input(slug.extend({ body: z.string().max(1_000_000) }))
    .mutation(async ({ input }) => {
      let body: unknown;
      try {
        body = JSON.parse(input.body);
      } catch (e) {
        throw new InvalidError(`body is not valid JSON: ${(e as Error).message}`);
      }
      const { runtime, s } = await served(input.slug);
      const parsed = millraceRows(body, s.primary.inputs);
      if ("error" in parsed) throw new InvalidError(parsed.error);
      try {
        const scored = runtime.score(s, parsed.rows, { batch: parsed.batch });
        return {
          status: 200,
          body: millraceBody(scored),
          ignored: scored.ignored,
        };
      } catch (e) {
        if (e instanceof DomainError) return { status: 400, body: { error: e.message, ...e.details }, ignored: [] as string[] };
        throw e;
      }
    }),

  deploy: workspaceProcedure("deploy")
    .input(withOneDeployTarget(slug.extend(deployFields.shape)))
    .mutation(({ ctx, input }) => deployVersion(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input.slug, input)),
  /** One click from a run page: the model a node trained, to a new or existing endpoint. */
  deployRun: resourceProcedure("deploy", "run", "runId")
    .input(z.object({ runId: z.guid(), nodeId: z.string().min(1).max(200), port: z.enum(["model", "final"]).default("model"), slug: z.string().max(100), confirmSchemaChange: z.boolean().optional() }))
    .mutation(({ ctx, input }) => deployRunModel(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input)),
  rollback: resourceProcedure("deploy", "endpoint", "slug")
    .input(slug.merge(rollbackBody))
    .mutation(({ ctx, input }) => rollback(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input.slug, input)),
  setTraffic: resourceProcedure("deploy", "endpoint", "slug")
    .input(slug.merge(trafficBody))
    .mutation(({ ctx, input }) => setTraffic(ctx.db, artifactStore(), ctx.access.principal, ctx.access.workspaceId, input.slug, input)),
  settings: resourceProcedure("deploy", "endpoint", "slug")
    .input(slug.merge(settingsBody))
    .mutation(({ ctx, input }) => setEndpointSettings(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.slug, input)),

  keys: workspaceProcedure("deploy").query(({ ctx }) => listServingKeys(ctx.db, ctx.access.workspaceId)),
  createKey: workspaceProcedure("deploy")
    .input(keyBody)
    .mutation(({ ctx, input }) => createServingKey(ctx.db, ctx.access.principal, ctx.access.workspaceId, input)),
  revokeKey: workspaceProcedure("deploy")
    .input(z.object({ id: z.guid() }))
    .mutation(({ ctx, input }) => revokeServingKey(ctx.db, ctx.access.principal, ctx.access.workspaceId, input.id)),
});
