/**
 * Hostile and malformed input against the running app: every case answers a 4xx naming the
 * problem (never a 5xx), and nothing is started, stored or counted because of it.
 */
import http from "node:http";
import { expect, type APIRequestContext } from "@playwright/test";
import { E2E_METRICS_TOKEN, E2E_PORT } from "../playwright.config";
import { apiTest as test, bearer, demoPipelineId, ensureDemoEndpoint } from "./helpers";

/** A raw request, for what fetch will not send: another Host, a body streamed in chunks. */
function raw(opts: { method: string; path: string; headers?: Record<string, string>; chunks?: Buffer[] }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: E2E_PORT, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", (e) => (e.message.includes("EPIPE") || e.message.includes("ECONNRESET") ? undefined : reject(e)));
    (async () => {
      for (const c of opts.chunks ?? []) if (!req.write(c)) await new Promise((r) => req.once("drain", r));
      req.end();
    })().catch(reject);
  });
}

const runCount = async (request: APIRequestContext, pipelineId: string) => {
  const page = await (await request.get(`/runs?pipeline=${pipelineId}`)).text();
  return (page.match(/href="\/runs\/[0-9a-f-]{36}"/g) ?? []).length;
};

test("security headers on pages and API responses", async ({ request }) => {
  const page = await request.get("/pipelines");
  expect(page.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(page.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(page.headers()).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin" });
  const api = await request.get("/api/v1/pipelines");
  expect(api.headers()["x-content-type-options"]).toBe("nosniff");
});

test("a foreign Host is refused (DNS rebinding)", async () => {
  const res = await raw({ method: "GET", path: "/api/v1/pipelines", headers: { host: `evil.example:${E2E_PORT}` } });
  expect(res.status).toBe(403);
  expect(JSON.parse(res.body).error).toBe(`host 'evil.example:${E2E_PORT}' is not served here; add it to ALLOWED_HOSTS to allow it`);
});

test("cross-site requests cannot start or cancel runs", async ({ request }) => {
  const id = await demoPipelineId(request);
  const before = await runCount(request, id);
  const fromEvil = await request.post(`/api/v1/pipelines/${id}/runs`, { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
  expect(fromEvil.status()).toBe(403);
  const form = await request.post(`/api/v1/pipelines/${id}/runs`, { headers: { "content-type": "application/x-www-form-urlencoded" }, data: "a=1" });
  expect(form.status()).toBe(415);
  const cancel = await request.post("/api/v1/runs/00000000-0000-0000-0000-000000000000/cancel", { headers: { origin: "https://evil.example" } });
  expect(cancel.status()).toBe(403);
  expect(await runCount(request, id)).toBe(before);
});

test("methods a route does not have are 405 with Allow, TRACE included", async () => {
  const trace = await raw({ method: "TRACE", path: "/api/v1/pipelines" });
  expect(trace.status).toBe(405);
  expect(trace.headers.allow).toBe("GET, POST, HEAD, OPTIONS");
  const del = await raw({ method: "DELETE", path: "/api/v1/runs/00000000-0000-0000-0000-000000000000" });
  expect(del.status).toBe(405);
  expect(del.headers.allow).toBe("GET, HEAD, OPTIONS");
  expect((await raw({ method: "GET", path: "/api/v1/nothing-here" })).status).toBe(404);
});

test("bodies are bounded while they stream: a chunked 12 MiB predict body is refused with 413", async ({ request }) => {
  await ensureDemoEndpoint(request);
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const res = await raw({
    method: "POST",
    path: "/api/v1/endpoints/demo-model/predict",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    chunks: [Buffer.from('{"x": "'), ...Array.from({ length: 12 }, () => chunk)],
  });
  expect(res.status).toBe(413);
  expect(JSON.parse(res.body).error).toBe("the body is larger than 10 MiB (MAX_JSON_BYTES)");
});

test("control characters, deep nesting and engine-breaking values are 4xx naming the field", async ({ request }) => {
  await ensureDemoEndpoint(request);
  const nulName = await request.post("/api/v1/datasets?name=a%00b", { headers: { "content-type": "text/csv" }, data: "x\n1\n" });
  expect(nulName.status()).toBe(400);
  expect((await nulName.json()).errors).toEqual([{ path: "name", message: "contains a control character" }]);

  const nulHeader = await request.post("/api/v1/datasets?name=nul", { headers: { "content-type": "text/csv" }, data: "a,b\u0000c\n1,2\n" });
  expect(nulHeader.status()).toBe(400);
  expect((await nulHeader.json()).error).toBe("the name of column 2 contains a control character");

  const id = await demoPipelineId(request);
  const { id: _id, version: _v, ...doc } = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  doc.name = "hostile";
  const deploy = doc.nodes.find((n: { id: string }) => n.id === "deploy");
  deploy.config = { slug: "hostile" };
  const attempt = (expression: string) =>
    request.post("/api/v1/pipelines", {
      data: { ...doc, nodes: doc.nodes.map((n: { id: string }) => (n.id === "feature" ? { ...n, config: { name: "x", expression } } : n)) },
    });
  const nul = await attempt("feature_1\u0000");
  expect(nul.status()).toBe(400);
  expect((await nul.json()).errors).toContainEqual({ nodeId: "feature", path: "nodes.2.config.expression", message: "contains a control character" });

  const deep = await attempt(`${"(".repeat(5000)}feature_1${")".repeat(5000)}`);
  expect(deep.status()).toBe(400);
  expect((await deep.json()).errors).toContainEqual({ nodeId: "feature", path: "config.expression", message: "expression is longer than 2000 characters" });

  const infinite = await attempt("feature_1 * 1e999");
  expect(infinite.status()).toBe(400);
  expect((await infinite.json()).errors).toContainEqual({ nodeId: "feature", path: "config.expression", message: "the number 1e999 at position 13 is out of range" });

  const badId = await request.post("/api/v1/pipelines", { data: { name: "x", nodes: [{ id: "..", type: "csv-dataset", config: {} }], edges: [] } });
  expect(badId.status()).toBe(400);
  expect((await badId.json()).errors[0]).toMatchObject({ path: "nodes.0.id" });

  const deepBody = await request.post("/api/v1/endpoints/demo-model/predict", { headers: { "content-type": "application/json" }, data: `{"feature_1": ${"[".repeat(5000)}${"]".repeat(5000)}}` });
  expect(deepBody.status()).toBe(400);
  expect((await deepBody.json()).error).toBe("the body nests deeper than 64 levels");
});

test("unknown slugs share one metrics label, whatever the URL", async ({ request }) => {
  for (const slug of ["a%00b", "no-such-endpoint", "x".repeat(100)]) {
    const res = await request.post(`/api/v1/endpoints/${slug}/predict`, { headers: { "content-type": "application/json" }, data: "{}" });
    expect(res.status()).toBe(404);
  }
  const metrics = await (await request.get("/metrics", { headers: bearer(E2E_METRICS_TOKEN) })).text();
  expect(metrics).toMatch(/millrace_endpoint_requests_total\{endpoint="_unknown",status="404"\} [3-9]/);
  expect(metrics).not.toContain("no-such-endpoint");
  expect(metrics).not.toContain("a\\u0000b");
});

test("a reserved column name is refused by the compiler, not retried by the engine", async ({ request }) => {
  const up = await request.post("/api/v1/datasets?name=reserved", { headers: { "content-type": "text/csv" }, data: "file_row_number,x,target\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n" });
  expect(up.status()).toBe(201);
  const { id: datasetId } = await up.json();
  const res = await request.post("/api/v1/pipelines", {
    data: {
      name: "reserved",
      nodes: [
        { id: "in", type: "csv-dataset", config: { datasetId } },
        { id: "split", type: "train-test-split", config: {} },
      ],
      edges: [{ source: "in", sourceHandle: "dataset", target: "split", targetHandle: "dataset" }],
    },
  });
  expect(res.status()).toBe(400);
  expect((await res.json()).errors).toContainEqual({
    nodeId: "split",
    path: "inputs.dataset",
    message: "the column name 'file_row_number' is reserved by the split; rename the column before splitting",
  });
});

test("an unknown run says so at once instead of retrying for seconds", async ({ page }) => {
  const t0 = Date.now();
  const res = await page.goto("/runs/00000000-0000-0000-0000-0000000000aa");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible({ timeout: 5000 });
  expect(Date.now() - t0).toBeLessThan(5000);
});

test("a malformed percent-escape in the path is a 400 at once, never a hang or a 5xx", async ({ request }) => {
  for (const path of ["/api/v1/endpoints/%E0%A4%A/predict", "/v2/models/%E0%A4%A", "/api/v1/endpoints/%ZZ/openapi.json", "/api/v1/runs/%ZZ", "/endpoints/%ZZ", "/runs/%ZZ"]) {
    const res = await request.get(path, { timeout: 5000 });
    expect(res.status(), path).toBe(400);
  }
  // The Open Inference Protocol's namespace answers JSON, even for a path it does not have.
  const unknown = await request.get("/v2/models");
  expect(unknown.status()).toBe(404);
  expect(unknown.headers()["content-type"]).toContain("application/json");
});
