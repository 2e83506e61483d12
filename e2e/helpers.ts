import fs from "node:fs";
import path from "node:path";
import { expect, test as base, type APIRequestContext } from "@playwright/test";
import { STATE_DIR } from "../playwright.config";

/** The first-start administrator's API token (every scope), as global set-up left it. */
export const adminToken = () => fs.readFileSync(path.join(STATE_DIR, "admin-token"), "utf8").trim();
export const adminPassword = () => fs.readFileSync(path.join(STATE_DIR, "admin-password"), "utf8").trim();
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Specs of the REST API: every request carries the administrator's token, as a script would. */
export const apiTest = base.extend({
  extraHTTPHeaders: async ({}, provide) => provide(bearer(adminToken())),
});

export async function waitForRun(request: APIRequestContext, runId: string, timeoutMs = 90_000) {
  let body: { status: string; [k: string]: unknown } = { status: "queued" };
  await expect
    .poll(
      async () => {
        body = await (await request.get(`/api/v1/runs/${runId}`)).json();
        return body.status;
      },
      { timeout: timeoutMs, intervals: [250, 500, 1000] },
    )
    .toMatch(/^(succeeded|failed|cancelled)$/);
  return body;
}

export async function demoPipelineId(request: APIRequestContext): Promise<string> {
  const { pipelines } = await (await request.get("/api/v1/pipelines")).json();
  const demo = (pipelines as { id: string; name: string }[]).find((p) => p.name.startsWith("Demo"));
  expect(demo, "the demo pipeline is seeded").toBeTruthy();
  return demo!.id;
}

/** Runs the demo once if its endpoint is not deployed yet, so a spec can stand on its own. */
export async function ensureDemoEndpoint(request: APIRequestContext) {
  if ((await request.get("/api/v1/endpoints/demo-model/openapi.json")).status() !== 404) return;
  const { runId } = await (await request.post(`/api/v1/pipelines/${await demoPipelineId(request)}/runs`)).json();
  expect((await waitForRun(request, runId)).status).toBe("succeeded");
}

/** Calls a tRPC procedure as the UI does (superjson envelope), returning the HTTP status and the result or error. */
export async function trpc(request: APIRequestContext, path: string, input?: unknown, opts: { query?: boolean; headers?: Record<string, string> } = {}) {
  const res = opts.query
    ? await request.get(`/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`, { headers: opts.headers })
    : await request.post(`/api/trpc/${path}`, { data: input === undefined ? {} : { json: input }, headers: opts.headers });
  const body = (await res.json()) as { result?: { data?: { json?: unknown } }; error?: { json?: { message?: string } } };
  return { status: res.status(), data: body.result?.data?.json as any, error: body.error?.json?.message, text: JSON.stringify(body) }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends labels to an endpoint's feedback route with a serving key made just before: serving
 * processes learn of a new key by notification, so the first attempts may still be refused (401).
 * Returns the accepted answer's status.
 */
export async function sendFeedback(request: APIRequestContext, slug: string, key: string, feedback: unknown[]) {
  let status = 0;
  await expect
    .poll(
      async () => {
        status = (await request.post(`/api/v1/endpoints/${slug}/feedback`, { data: { feedback }, headers: { authorization: `Bearer ${key}` } })).status();
        return status;
      },
      { timeout: 10_000 },
    )
    .toBeLessThan(300);
  return status;
}
