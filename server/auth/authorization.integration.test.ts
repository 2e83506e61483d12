/**
 * The authorisation matrix: every REST route and method (server/http/routes.ts, checked against
 * the route files by routes.test.ts) and every tRPC procedure, called through the real route
 * handlers with real sessions (signed in through Better Auth's own route) by five callers:
 * anonymous, a member of another workspace only, and a viewer, an editor and an owner of the
 * workspace under test. Each answer must be what the declared policy says: refused with
 * 401 / 403 / 404, or let through (anything else: 2xx, or a 4xx about the input).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import type { ModelRef } from "~/lib/pipeline/plan";
import { artifactStore } from "~/workflows/artifacts";
import type { FsArtifactStore } from "~/workflows/artifacts/store";
import { executor as randomForest } from "~/workflows/nodes/random-forest/execute";
import { datasetFromCsv, runExecutor } from "~/workflows/nodes/testing";
import { batchScores, datasets, endpoints, memberships, modelVersions, runs, servingKeys, workspaces, type Role } from "~/db/schema";
import { appRouter } from "~/server/api/root";
import type { Meta } from "~/server/api/trpc";
import { apiRoutes, type RoutePolicy } from "~/server/http/routes";
import { createPipeline } from "~/server/pipelines/repository";
import { stageBody } from "~/server/datasets/uploads";
import { createUserWithPassword } from "~/server/workspaces/service";
import { CLIENT_IP_HEADER } from "./client-ip";
import { roleGrants, type Action } from "./policy";

type Caller = "anonymous" | "other" | Role;
const callers: Caller[] = ["anonymous", "other", "viewer", "editor", "owner"];
const BASE = "http://127.0.0.1:3000";
const PASSWORD = "matrix-password-123";

const ids = { workspace: "", otherWorkspace: "", pipeline: "", run: "", dataset: "", upload: "", key: "", batch: "", runningBatch: "" };
const cookies: Partial<Record<Caller, string>> = {};

/** A route module as Next would load it: app/<path>/route.ts, `{x}` → `[x]`. */
async function routeModule(path: string): Promise<Record<string, (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>>> {
  const file = path.replace(/\{(\.\.\.)?([^}]+)\}/g, (_, dots: string | undefined, name: string) => `[${dots ?? ""}${name}]`);
  return import(/* @vite-ignore */ `~/app${file}/route.ts`);
}

function headersFor(caller: Caller, extra: Record<string, string> = {}) {
  const h = new Headers({ [CLIENT_IP_HEADER]: `198.51.100.${callers.indexOf(caller) + 10}`, ...extra });
  if (cookies[caller]) h.set("cookie", cookies[caller]!);
  // Acting in the workspace under test, by name: a member of another workspace is refused there.
  h.set("x-millrace-workspace", ids.workspace);
  return h;
}

async function signIn(email: string, caller: Caller) {
  const { POST } = await routeModule("/api/auth/{...path}");
  if (!POST) throw new Error("the auth route has no POST");
  const res = await POST(
    new Request(`${BASE}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE, [CLIENT_IP_HEADER]: `198.51.100.${callers.indexOf(caller) + 10}` },
      body: JSON.stringify({ email, password: PASSWORD }),
    }),
    { params: Promise.resolve({ path: ["sign-in", "email"] }) },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  cookies[caller] = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

beforeAll(async () => {
  const d = db();
  const [ws] = await d.insert(workspaces).values({ name: "Matrix" }).returning();
  const [other] = await d.insert(workspaces).values({ name: "Matrix other" }).returning();
  ids.workspace = ws!.id;
  ids.otherWorkspace = other!.id;
  for (const caller of ["other", "viewer", "editor", "owner"] as const) {
    const email = `matrix-${caller}@example.com`;
    const user = await createUserWithPassword(d, { email, name: caller, password: PASSWORD });
    await d.insert(memberships).values({ workspaceId: caller === "other" ? other!.id : ws!.id, userId: user.id, role: caller === "other" ? "owner" : caller });
    await signIn(email, caller);
  }
  // An empty pipeline: starting it is refused by the compiler (400) once authorisation lets it through.
  ids.pipeline = (await createPipeline(d, ws!.id, { name: "matrix", nodes: [], edges: [] })).id;
  const [run] = await d.insert(runs).values({ workspaceId: ws!.id, pipelineId: ids.pipeline, pipelineVersion: 1, status: "succeeded" }).returning();
  ids.run = run!.id;
  const [ds] = await d.insert(datasets).values({ workspaceId: ws!.id, name: "m", artifactUri: "artifact:datasets/m/data.parquet", rows: 1, columns: [] }).returning();
  ids.dataset = ds!.id;
  // A real model behind the endpoint, so that reading its OpenAPI works for whoever may.
  const store = artifactStore() as FsArtifactStore;
  const data = await datasetFromCsv(store, "matrix/data.parquet", "x,y\n1,a\n2,a\n3,b\n4,b\n", { y: "target" });
  const trained = await runExecutor(store, randomForest, { task: "classification", nEstimators: 2, seed: 1 }, { train: data }, { nodeId: "matrix-train" });
  const [mv] = await d
    .insert(modelVersions)
    .values({ workspaceId: ws!.id, name: "matrix-endpoint", version: 1, nodeId: "m", artifactUri: (trained.outputs.model as ModelRef).uri, task: "classification" })
    .returning();
  await d.insert(endpoints).values({ workspaceId: ws!.id, slug: "matrix-endpoint", modelVersionId: mv!.id });
  const [key] = await d.insert(servingKeys).values({ workspaceId: ws!.id, name: "matrix", prefix: "mrk_matrix", hash: "matrix-key-hash" }).returning();
  ids.key = key!.id;
  // A job that failed: cancelling it and downloading its file are refused on their merits (409).
  const [batch] = await d.insert(batchScores).values({ workspaceId: ws!.id, modelVersionId: mv!.id, datasetId: ds!.id, datasetName: "m", rowsTotal: 1, chunkRows: 10, status: "failed", error: "matrix" }).returning();
  ids.batch = batch!.id;
  // A job still running: deleting it is refused on its merits (409, cancel it first).
  const [running] = await d.insert(batchScores).values({ workspaceId: ws!.id, modelVersionId: mv!.id, datasetId: ds!.id, datasetName: "m", rowsTotal: 1, chunkRows: 10, status: "running" }).returning();
  ids.runningBatch = running!.id;
  const staged = await stageBody(new Request(`${BASE}/x`, { method: "POST", body: "a,b\n1,2\n" }), ws!.id, null, "matrix.csv");
  ids.upload = staged.id;
});

afterAll(async () => {
  await closeDb();
});

type Expected = "allowed" | 401 | 403 | 404 | number;

/** What the policy says a caller gets. */
function expected(caller: Caller, policy: Action | "signed-in" | "public", resource: boolean): Expected {
  if (policy === "public") return "allowed";
  if (caller === "anonymous") return 401;
  if (policy === "signed-in") return "allowed";
  // A resource in a workspace the caller is not in does not exist for them; acting in it by name is refused.
  if (caller === "other") return resource ? 404 : 403;
  return roleGrants[caller].includes(policy) ? "allowed" : 403;
}

/** What an answer means. A public route's 404 is about its input (no such endpoint, invitation), never a refusal. */
function verdict(status: number, policy: string): Expected {
  if (status >= 500) return status; // never an acceptable answer
  if (status === 404 && policy === "public") return "allowed";
  return status === 401 || status === 403 || status === 404 ? status : "allowed";
}

// ---------------------------------------------------------------------------------------------
// REST: one request per route and method, with a body that is safe to send (refused on its input
// if authorisation lets it through).

interface RestCall {
  path: string;
  params: Record<string, unknown>;
  body?: { type: string; text: string };
  /** Names a resource of the workspace under test (so "other" gets 404, not 403). */
  resource?: boolean;
  /** Health answers 503 here, where no worker polls the queue: a report, not a failure. */
  reportsUnavailable?: boolean;
}

const restCalls: Record<string, Partial<Record<string, () => RestCall>>> = {
  "/api/health": { GET: () => ({ path: "/api/health", params: {}, reportsUnavailable: true }) },
  "/api/auth/{...path}": {
    GET: () => ({ path: "/api/auth/get-session", params: { path: ["get-session"] } }),
    POST: () => ({ path: "/api/auth/no-such-endpoint", params: { path: ["no-such-endpoint"] }, body: { type: "application/json", text: "{}" } }),
  },
  "/api/v1/openapi.json": { GET: () => ({ path: "/api/v1/openapi.json", params: {} }) },
  "/api/v1/me": { GET: () => ({ path: "/api/v1/me", params: {} }) },
  "/api/v1/datasets": {
    GET: () => ({ path: "/api/v1/datasets", params: {} }),
    POST: () => ({ path: "/api/v1/datasets", params: {}, body: { type: "text/csv", text: "a\n1\n" } }),
  },
  "/api/v1/uploads": { POST: () => ({ path: "/api/v1/uploads", params: {}, body: { type: "application/json", text: "{}" } }) },
  "/api/v1/uploads/{id}/preview": {
    POST: () => ({ path: `/api/v1/uploads/${ids.upload}/preview`, params: { id: ids.upload }, body: { type: "application/json", text: "{}" }, resource: true }),
  },
  "/api/v1/pipelines": {
    GET: () => ({ path: "/api/v1/pipelines", params: {} }),
    POST: () => ({ path: "/api/v1/pipelines", params: {}, body: { type: "application/json", text: "{}" } }),
  },
  "/api/v1/pipelines/{id}": { GET: () => ({ path: `/api/v1/pipelines/${ids.pipeline}`, params: { id: ids.pipeline }, resource: true }) },
  "/api/v1/pipelines/{id}/runs": { POST: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/runs`, params: { id: ids.pipeline }, resource: true }) },
  "/api/v1/pipelines/{id}/schedules": {
    GET: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/schedules`, params: { id: ids.pipeline }, resource: true }),
    POST: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/schedules`, params: { id: ids.pipeline }, body: { type: "application/json", text: '{"cron": "often"}' }, resource: true }),
  },
  "/api/v1/pipelines/{id}/schedules/{scheduleId}": {
    DELETE: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/schedules/not-a-schedule`, params: { id: ids.pipeline, scheduleId: "not-a-schedule" }, resource: true }),
  },
  "/api/v1/pipelines/{id}/schedules/{scheduleId}/pause": {
    POST: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/schedules/not-a-schedule/pause`, params: { id: ids.pipeline, scheduleId: "not-a-schedule" }, resource: true }),
  },
  "/api/v1/pipelines/{id}/triggers": {
    GET: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/triggers`, params: { id: ids.pipeline }, resource: true }),
    POST: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/triggers`, params: { id: ids.pipeline }, body: { type: "application/json", text: '{"datasetName": "m", "parameter": "not-declared"}' }, resource: true }),
  },
  "/api/v1/pipelines/{id}/triggers/{triggerId}": {
    PUT: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/triggers/not-a-trigger`, params: { id: ids.pipeline, triggerId: "not-a-trigger" }, body: { type: "application/json", text: '{"paused": true}' }, resource: true }),
    DELETE: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/triggers/not-a-trigger`, params: { id: ids.pipeline, triggerId: "not-a-trigger" }, resource: true }),
  },
  "/api/v1/pipelines/{id}/schedules/{scheduleId}/resume": {
    POST: () => ({ path: `/api/v1/pipelines/${ids.pipeline}/schedules/not-a-schedule/resume`, params: { id: ids.pipeline, scheduleId: "not-a-schedule" }, resource: true }),
  },
  "/api/v1/runs/{runId}": { GET: () => ({ path: `/api/v1/runs/${ids.run}`, params: { runId: ids.run }, resource: true }) },
  "/api/v1/runs/{runId}/cancel": { POST: () => ({ path: `/api/v1/runs/${ids.run}/cancel`, params: { runId: ids.run }, resource: true }) },
  // The run has no such node: refused on its merits (404 would read as a refusal, so the port is malformed instead).
  "/api/v1/runs/{runId}/nodes/{nodeId}/outputs/{port}": {
    GET: () => ({ path: `/api/v1/runs/${ids.run}/nodes/train/outputs/model?format=xml`, params: { runId: ids.run, nodeId: "train", port: "model" }, resource: true }),
  },
  // Operating endpoints; prediction traffic is the serving runtime's (keys, server/serving/serving.integration.test.ts).
  "/api/v1/endpoints": { GET: () => ({ path: "/api/v1/endpoints", params: {} }) },
  "/api/v1/endpoints/{slug}/deploy": { POST: () => ({ path: "/api/v1/endpoints/matrix-endpoint/deploy", params: { slug: "matrix-endpoint" }, body: { type: "application/json", text: "{}" } }) },
  "/api/v1/endpoints/{slug}/revisions": { GET: () => ({ path: "/api/v1/endpoints/matrix-endpoint/revisions", params: { slug: "matrix-endpoint" }, resource: true }) },
  "/api/v1/endpoints/{slug}/rollback": {
    POST: () => ({ path: "/api/v1/endpoints/matrix-endpoint/rollback", params: { slug: "matrix-endpoint" }, body: { type: "application/json", text: "{}" }, resource: true }),
  },
  "/api/v1/endpoints/{slug}/traffic": {
    PUT: () => ({ path: "/api/v1/endpoints/matrix-endpoint/traffic", params: { slug: "matrix-endpoint" }, body: { type: "application/json", text: "{}" }, resource: true }),
  },
  "/api/v1/endpoints/{slug}/settings": {
    PUT: () => ({ path: "/api/v1/endpoints/matrix-endpoint/settings", params: { slug: "matrix-endpoint" }, body: { type: "application/json", text: '{"nope": 1}' }, resource: true }),
  },
  "/api/v1/endpoints/{slug}/performance": { GET: () => ({ path: "/api/v1/endpoints/matrix-endpoint/performance", params: { slug: "matrix-endpoint" }, resource: true }) },
  "/api/v1/endpoints/{slug}/monitoring": { GET: () => ({ path: "/api/v1/endpoints/matrix-endpoint/monitoring", params: { slug: "matrix-endpoint" }, resource: true }) },
  "/api/v1/models": { GET: () => ({ path: "/api/v1/models", params: {} }) },
  "/api/v1/models/{name}/versions": { GET: () => ({ path: "/api/v1/models/matrix-endpoint/versions", params: { name: "matrix-endpoint" } }) },
  "/api/v1/models/{name}/aliases/{alias}": {
    PUT: () => ({ path: "/api/v1/models/matrix-endpoint/aliases/champion", params: { name: "matrix-endpoint", alias: "champion" }, body: { type: "application/json", text: '{"version": 0}' } }),
    // Refused on its input (no such alias) once authorisation lets it through.
    DELETE: () => ({ path: "/api/v1/models/matrix-endpoint/aliases/Not-An-Alias", params: { name: "matrix-endpoint", alias: "Not-An-Alias" } }),
  },
  "/api/v1/keys": {
    GET: () => ({ path: "/api/v1/keys", params: {} }),
    POST: () => ({ path: "/api/v1/keys", params: {}, body: { type: "application/json", text: "{}" } }),
  },
  // Revoking is idempotent: every caller allowed to gets 200 for the same key.
  "/api/v1/keys/{id}": { DELETE: () => ({ path: `/api/v1/keys/${ids.key}`, params: { id: ids.key } }) },
  "/api/v1/batch-scores": {
    GET: () => ({ path: "/api/v1/batch-scores", params: {} }),
    POST: () => ({ path: "/api/v1/batch-scores", params: {}, body: { type: "application/json", text: "{}" } }),
  },
  "/api/v1/batch-scores/{id}": {
    GET: () => ({ path: `/api/v1/batch-scores/${ids.batch}`, params: { id: ids.batch }, resource: true }),
    DELETE: () => ({ path: `/api/v1/batch-scores/${ids.runningBatch}`, params: { id: ids.runningBatch }, resource: true }),
  },
  "/api/v1/batch-scores/{id}/cancel": { POST: () => ({ path: `/api/v1/batch-scores/${ids.batch}/cancel`, params: { id: ids.batch }, resource: true }) },
  "/api/v1/batch-scores/{id}/download": { GET: () => ({ path: `/api/v1/batch-scores/${ids.batch}/download`, params: { id: ids.batch }, resource: true }) },
};

/** Every listed route and method but tRPC's, whose procedures are checked one by one below. */
const restCases = apiRoutes.flatMap((r) =>
  Object.entries(r.methods)
    .filter(([, policy]) => policy !== "per-procedure")
    .map(([method, policy]) => ({ route: r.path, method, policy: policy as RoutePolicy })),
);

describe("authorisation matrix: REST", () => {
  it("has a request for every route and method", () => {
    const missing = restCases.filter((c) => !restCalls[c.route]?.[c.method]).map((c) => `${c.method} ${c.route}`);
    expect(missing).toEqual([]);
    expect(restCases.length).toBe(46);
  });

  it.each(restCases)("$method $route ($policy)", async ({ route, method, policy }) => {
    const mod = await routeModule(route);
    const handler = mod[method]!;
    const call = restCalls[route]![method]!();
    const results: Record<string, Expected> = {};
    const wanted: Record<string, Expected> = {};
    for (const caller of callers) {
      const headers = headersFor(caller, call.body ? { "content-type": call.body.type } : {});
      const req = new Request(`${BASE}${call.path}`, { method, headers, body: call.body?.text });
      const res = await handler(req, { params: Promise.resolve(call.params) });
      results[caller] = call.reportsUnavailable && res.status === 503 ? "allowed" : verdict(res.status, policy);
      wanted[caller] = expected(caller, policy as Action | "signed-in" | "public", !!call.resource);
    }
    expect(results).toEqual(wanted);
  });
});

// ---------------------------------------------------------------------------------------------
// tRPC: every procedure of the router, with an input that is refused on its own merits (400)
// when authorisation lets it through, so that nothing in the workspace changes.

const trpcInputs: Record<string, () => unknown | Promise<unknown>> = {
  "pipeline.byId": () => ({ id: ids.pipeline }),
  "pipeline.versions": () => ({ id: ids.pipeline }),
  "pipeline.templates": () => undefined,
  "pipeline.fromTemplate": () => ({ template: "diabetes-progression" }),
  "pipeline.footprint": () => ({ id: ids.pipeline }),
  "pipeline.rename": () => ({ id: ids.pipeline, name: "Renamed" }),
  "pipeline.nameVersion": () => ({ id: ids.pipeline, version: 1, label: "x".repeat(101) }),
  "pipeline.duplicate": () => ({ id: ids.pipeline }),
  // A pipeline of its own for each caller: the first one allowed would delete a shared one.
  "dataset.rename": () => ({ id: ids.dataset, name: "renamed" }),
  "dataset.usage": () => ({ id: ids.dataset }),
  "dataset.duplicate": () => ({ id: ids.dataset }),
  "dataset.remove": async () => {
    const [d] = await db().insert(datasets).values({ workspaceId: ids.workspace, name: "doomed", artifactUri: "artifact:datasets/doomed/data.parquet", rows: 1, columns: [] }).returning();
    return { id: d!.id };
  },
  "pipeline.remove": async () => ({ id: (await createPipeline(db(), ids.workspace, { name: "doomed", nodes: [], edges: [] })).id }),
  "pipeline.create": () => ({}),
  "pipeline.save": () => ({ id: ids.pipeline }),
  "run.start": () => ({ pipelineId: ids.pipeline }),
  "run.byId": () => ({ id: ids.run }),
  "run.lastOutputs": () => ({ pipelineId: ids.pipeline }),
  "run.cancel": () => ({ id: ids.run }),
  "run.node": () => ({ id: ids.run, nodeId: "" }),
  // The run succeeded: resuming it is refused on its merits (409).
  "run.resume": () => ({ id: ids.run }),
  "run.forgetCache": () => ({ id: ids.run, nodeId: "" }),
  "run.log": () => ({ id: ids.run, nodeId: "train" }),
  "schedule.list": () => ({ pipelineId: ids.pipeline }),
  "schedule.create": () => ({ pipelineId: ids.pipeline, cron: "often" }),
  "schedule.pause": () => ({ pipelineId: ids.pipeline, scheduleId: "not-a-schedule" }),
  "schedule.resume": () => ({ pipelineId: ids.pipeline, scheduleId: "not-a-schedule" }),
  "schedule.trigger": () => ({ pipelineId: ids.pipeline, scheduleId: "not-a-schedule" }),
  "schedule.remove": () => ({ pipelineId: ids.pipeline, scheduleId: "not-a-schedule" }),
  "schedule.triggers": () => ({ pipelineId: ids.pipeline }),
  "schedule.createTrigger": () => ({ pipelineId: ids.pipeline, datasetName: "m", parameter: "not-declared" }),
  "schedule.pauseTrigger": () => ({ pipelineId: ids.pipeline, triggerId: "not-a-trigger", paused: true }),
  "schedule.removeTrigger": () => ({ pipelineId: ids.pipeline, triggerId: "not-a-trigger" }),
  "share.create": () => ({ runId: ids.run, expiresInDays: 0 }),
  "share.list": () => ({ runId: ids.run }),
  "share.revoke": () => ({ runId: ids.run, id: "not-a-uuid" }),
  "share.view": () => ({ token: "mrs_not-issued" }),
  "dataset.list": () => undefined,
  "dataset.describeQuery": () => ({}),
  "endpoint.list": () => undefined,
  "model.list": () => undefined,
  "batch.list": () => ({ slug: 7 }),
  "batch.byId": () => ({ id: ids.batch }),
  "batch.start": () => ({ datasetId: ids.dataset }),
  "batch.cancel": () => ({ id: ids.batch }),
  "batch.remove": () => ({ id: ids.runningBatch }),
  "model.versions": () => ({ name: "matrix-endpoint" }),
  "model.setAlias": () => ({ name: "matrix-endpoint", alias: "Bad Alias", version: 1 }),
  "model.removeAlias": () => ({ name: "matrix-endpoint", alias: "Not-An-Alias" }),
  "endpoint.detail": () => ({ slug: "matrix-endpoint" }),
  "endpoint.monitoring": () => ({ slug: "matrix-endpoint" }),
  "endpoint.openapi": () => ({ slug: "matrix-endpoint" }),
  "endpoint.tryIt": () => ({ slug: "matrix-endpoint", body: "not json" }),
  "endpoint.deploy": () => ({ slug: "matrix-endpoint", modelVersionId: "not-a-uuid" }),
  "endpoint.deployRun": () => ({ runId: ids.run, nodeId: "train", slug: "not a slug" }),
  "endpoint.rollback": () => ({ slug: "matrix-endpoint", revision: 0 }),
  "endpoint.setTraffic": () => ({ slug: "matrix-endpoint", variants: [] }),
  "endpoint.settings": () => ({ slug: "matrix-endpoint", logSample: 5 }),
  "endpoint.keys": () => undefined,
  "endpoint.createKey": () => ({ name: "" }),
  "endpoint.revokeKey": () => ({ id: ids.key }),
  "workspace.mine": () => undefined,
  "workspace.create": () => ({ name: "" }),
  "workspace.members": () => undefined,
  "workspace.setRole": () => ({}),
  "workspace.removeMember": () => ({}),
  "workspace.invite": () => ({}),
  "workspace.invitations": () => undefined,
  "workspace.revokeInvitation": () => ({}),
  "workspace.workspaceTokens": () => undefined,
  "workspace.createWorkspaceToken": () => ({}),
  "workspace.revokeWorkspaceToken": () => ({}),
  "workspace.secrets": () => undefined,
  "workspace.setSecret": () => ({}),
  "workspace.deleteSecret": () => ({ name: "" }),
  "workspace.audit": () => undefined,
  "token.mine": () => undefined,
  "token.create": () => ({}),
  "token.revoke": () => ({}),
  "account.sessions": () => undefined,
  "account.revokeSession": () => ({}),
  "account.revokeOtherSessions": () => undefined,
  "invitation.describe": () => ({ token: "inv_not-a-real-invitation" }),
  "invitation.accept": () => ({ token: "inv_not-a-real-invitation" }),
};

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; meta?: Meta } };
const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, AnyProcedure> } })._def.procedures).map(([path, p]) => ({
  path,
  type: p._def.type,
  meta: p._def.meta,
}));

async function callProcedure(path: string, type: string, input: unknown, headers: Headers) {
  const { GET, POST } = await routeModule("/api/trpc/{trpc}");
  const encoded = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  if (!GET || !POST) throw new Error("the tRPC route has no GET or POST");
  if (type === "query") return GET(new Request(`${BASE}/api/trpc/${path}${encoded}`, { headers }), { params: Promise.resolve({ trpc: path }) });
  headers.set("content-type", "application/json");
  return POST(new Request(`${BASE}/api/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input === undefined ? {} : { json: input }) }), { params: Promise.resolve({ trpc: path }) });
}

describe("authorisation matrix: tRPC", () => {
  it("every procedure declares its policy, and the matrix has an input for each", () => {
    const undeclared = procedures.filter((p) => !p.meta?.action).map((p) => p.path);
    expect(undeclared).toEqual([]);
    expect(procedures.map((p) => p.path).sort()).toEqual(Object.keys(trpcInputs).sort());
  });

  it.each(procedures)("$path ($meta.action)", async ({ path, type, meta }) => {
    const results: Record<string, Expected> = {};
    const wanted: Record<string, Expected> = {};
    for (const caller of callers) {
      const res = await callProcedure(path, type, await trpcInputs[path]!(), headersFor(caller));
      results[caller] = verdict(res.status, meta!.action);
      wanted[caller] = expected(caller, meta!.action, !!meta!.resource);
    }
    expect(results).toEqual(wanted);
  });
});
