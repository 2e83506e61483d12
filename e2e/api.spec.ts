/** The public REST API, over HTTP against the production server. */
import { expect } from "@playwright/test";
import { E2E_METRICS_TOKEN } from "../playwright.config";
import { apiTest as test, bearer, demoPipelineId, waitForRun } from "./helpers";

test("health reports database, Temporal and worker", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", checks: { database: "ok", temporal: "ok", worker: "ok" } });
});

test("datasets: CSV upload, and a malformed CSV named by line", async ({ request }) => {
  const ok = await request.post("/api/v1/datasets?name=tiny", { headers: { "content-type": "text/csv" }, data: "x,y,label\n1,2.5,a\n3,,b\n" });
  expect(ok.status()).toBe(201);
  expect(await ok.json()).toMatchObject({
    rows: 2,
    columns: [
      { name: "x", type: "number" },
      { name: "y", type: "number" },
      { name: "label", type: "string" },
    ],
  });
  const bad = await request.post("/api/v1/datasets?name=bad", { headers: { "content-type": "text/csv" }, data: "a,b,c\n1,2,3\n4,5\n6,7,8\n" });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toMatch(/^line 3: /);
  const noUpload = await request.post("/api/v1/datasets", { headers: { "content-type": "application/json" }, data: "{}" });
  expect(noUpload.status()).toBe(400);
  expect(JSON.stringify(await noUpload.json())).toContain("upload");
  const wrongType = await request.post("/api/v1/datasets?name=j", { headers: { "content-type": "text/plain" }, data: "a\n1\n" });
  expect(wrongType.status()).toBe(415);
  const noName = await request.post("/api/v1/datasets", { headers: { "content-type": "text/csv" }, data: "a\n1\n" });
  expect(noName.status()).toBe(400);
});

test("pipelines: document round trip and errors naming node and field", async ({ request }) => {
  const id = await demoPipelineId(request);
  const doc = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  expect(doc.nodes.map((n: { type: string }) => n.type)).toEqual([
    "csv-dataset", "fill-missing", "derive-column", "train-test-split", "random-forest", "evaluate", "deploy-endpoint", "monitor-endpoint",
  ]);
  expect(doc.nodes[0].config.datasetId).toMatch(/^[0-9a-f-]{36}$/);

  const { id: _id, version: _v, ...copy } = doc;
  copy.name = "API copy";
  copy.nodes.find((n: { id: string }) => n.id === "deploy").config.slug = "api-copy";
  const created = await request.post("/api/v1/pipelines", { data: copy });
  expect(created.status()).toBe(201);
  const newId = (await created.json()).id;
  expect((await (await request.get(`/api/v1/pipelines/${newId}`)).json()).name).toBe("API copy");

  const broken = structuredClone(copy);
  broken.nodes.find((n: { id: string }) => n.id === "feature").config.expression = "feature_1 * nope";
  broken.nodes.find((n: { id: string }) => n.id === "split").config.testFraction = 2;
  broken.edges.push({ source: "train", sourceHandle: "model", target: "clean", targetHandle: "dataset" });
  const rejected = await request.post("/api/v1/pipelines", { data: broken });
  expect(rejected.status()).toBe(400);
  const { errors } = await rejected.json();
  expect(errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ nodeId: "split", path: "config.testFraction" }),
      expect.objectContaining({ nodeId: "clean", path: "inputs.dataset", message: expect.stringMatching(/takes a dataset, but train sends a model/) }),
    ]),
  );
  const withId = await request.post("/api/v1/pipelines", { data: { ...copy, id: "x" } });
  expect(withId.status()).toBe(400);
  const notJson = await request.post("/api/v1/pipelines", { headers: { "content-type": "text/plain" }, data: "hi" });
  expect(notJson.status()).toBe(415);
  expect((await request.get("/api/v1/pipelines/00000000-0000-0000-0000-000000000000")).status()).toBe(404);
  expect((await request.get("/api/v1/pipelines/nope")).status()).toBe(404);

  // Up to 2,000 nodes; one more is refused with a message that says what to do.
  const chain = (n: number) => ({
    name: `Chain of ${n}`,
    nodes: [
      { id: "n0", type: "csv-dataset", config: { datasetId: doc.nodes[0].config.datasetId }, position: { x: 0, y: 0 } },
      ...Array.from({ length: n - 1 }, (_, i) => ({ id: `n${i + 1}`, type: "derive-column", config: { name: `f${i + 1}`, expression: "feature_1 * 2" }, position: { x: ((i + 1) % 20) * 260, y: Math.floor((i + 1) / 20) * 150 } })),
    ],
    edges: Array.from({ length: n - 1 }, (_, i) => ({ source: `n${i}`, sourceHandle: "dataset", target: `n${i + 1}`, targetHandle: "dataset" })),
  });
  expect((await request.post("/api/v1/pipelines", { data: chain(2000) })).status()).toBe(201);
  const tooBig = await request.post("/api/v1/pipelines", { data: chain(2001) });
  expect(tooBig.status()).toBe(400);
  expect(JSON.stringify(await tooBig.json())).toContain("a pipeline has at most 2000 nodes; split it into smaller pipelines");
});

test("run the demo over REST, then call its endpoint", async ({ request }) => {
  const id = await demoPipelineId(request);
  const started = await request.post(`/api/v1/pipelines/${id}/runs`);
  expect(started.status()).toBe(201);
  const { runId } = await started.json();
  const run = (await waitForRun(request, runId)) as {
    status: string;
    nodes: { nodeId: string; status: string; error: string | null }[];
    metrics: Record<string, number>;
    endpoints: { slug: string; url: string }[];
  };
  expect(run.status).toBe("succeeded");
  expect(run.nodes).toHaveLength(8);
  for (const n of run.nodes) expect(n).toMatchObject({ status: "succeeded", error: null });
  expect(run.metrics.accuracy).toBeGreaterThan(0.7);
  expect(run.endpoints[0]?.slug).toBe("demo-model");

  const predict = (data: unknown, headers = { "content-type": "application/json" }) =>
    request.post("/api/v1/endpoints/demo-model/predict", { headers, data: typeof data === "string" ? data : JSON.stringify(data) });
  // Far from the decision boundary (target ≈ feature_1 · feature_2 + 0.8 · feature_3 > 0) the class is certain.
  const one = await predict({ feature_1: 2, feature_2: -2, feature_3: -2, feature_4: 7 });
  expect(one.status()).toBe(200);
  const body = await one.json();
  expect(body.predictions).toEqual([0]);
  expect(body.modelVersion).toBeGreaterThanOrEqual(1);
  expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  const probs = body.probabilities[0] as Record<string, number>;
  expect(Object.keys(probs)).toEqual(["0", "1"]);
  expect(probs["0"]! + probs["1"]!).toBeCloseTo(1, 5);
  expect(probs[String(body.predictions[0])]).toBeGreaterThanOrEqual(0.5);

  const batch = await predict({ instances: [{ feature_1: 2, feature_2: 2, feature_3: null, feature_4: 7 }, { feature_1: 2, feature_2: 2, feature_3: 2, feature_4: 1 }, { feature_1: -2, feature_2: 2, feature_3: -1, feature_4: 1 }] });
  expect((await batch.json()).predictions).toEqual([1, 1, 0]);

  const invalid = await predict({ feature_1: "high", feature_2: 1, feature_4: 1, colour: "red" });
  expect(invalid.status()).toBe(400);
  const err = await invalid.json();
  expect(err.details).toEqual(
    expect.arrayContaining([expect.objectContaining({ field: "feature_1" }), expect.objectContaining({ field: "feature_3", message: "is required" })]),
  );
  // A field the model does not know is ignored, and named in a header.
  const extra = await predict({ feature_1: 2, feature_2: 2, feature_3: 2, feature_4: 1, colour: "red" });
  expect(extra.status()).toBe(200);
  expect(extra.headers()["millrace-ignored-fields"]).toBe("colour");
  expect((await predict("not json")).status()).toBe(400);
  expect((await predict("{}", { "content-type": "text/plain" })).status()).toBe(415);
  expect((await predict({ instances: [] })).status()).toBe(400);

  const api = await (await request.get("/api/v1/endpoints/demo-model/openapi.json")).json();
  expect(api.openapi).toBe("3.1.0");
  expect(api.components.schemas.Instance.required).toEqual(["feature_1", "feature_2", "feature_3", "feature_4"]);
  // A number, null, or the CSV's spellings of a missing value (NA, …).
  expect(api.components.schemas.Instance.properties.feature_1.anyOf).toEqual([{ type: "number" }, { type: "null" }, { enum: expect.arrayContaining(["", "NA", "N/A"]) }]);
  const platform = await (await request.get("/api/v1/openapi.json")).json();
  expect(Object.keys(platform.paths)).toEqual(expect.arrayContaining(["/api/v1/datasets", "/api/v1/pipelines", "/api/v1/runs/{runId}"]));

  const metrics = await (await request.get("/metrics", { headers: bearer(E2E_METRICS_TOKEN) })).text();
  expect(metrics).toMatch(/millrace_endpoint_requests_total\{endpoint="demo-model",status="200"\} [1-9]/);
  expect(metrics).toMatch(/millrace_endpoint_requests_total\{endpoint="demo-model",status="400"\} [1-9]/);
  expect(metrics).toMatch(/millrace_endpoint_request_duration_seconds_count\{endpoint="demo-model"\} [1-9]/);
  expect(metrics).toMatch(/millrace_endpoint_predictions_total\{endpoint="demo-model",model_version="\d+",class="[01]"\} [1-9]/);
  expect(metrics).toMatch(/millrace_pipeline_runs\{status="succeeded"\} [1-9]/);
  expect(metrics).toMatch(/millrace_node_duration_seconds_count\{type="random-forest"\} [1-9]/);
});

test("a copy of a pipeline cannot take over its endpoint unless it says so", async ({ request }) => {
  const id = await demoPipelineId(request);
  const { id: _id, version: _v, ...copy } = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  copy.name = "Demo copy";
  const refused = await request.post("/api/v1/pipelines", { data: copy });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).errors).toEqual([
    {
      nodeId: "deploy",
      path: "config.slug",
      message: "endpoint 'demo-model' is served by pipeline 'Demo: random forest classifier'; choose another slug or tick 'Take over the endpoint'",
    },
  ]);
  copy.nodes.find((n: { id: string }) => n.id === "deploy").config.takeOver = true;
  expect((await request.post("/api/v1/pipelines", { data: copy })).status()).toBe(201);
});

test("unknown runs and bad ids are 404s, not 500s", async ({ request }) => {
  expect((await request.get("/api/v1/runs/00000000-0000-0000-0000-000000000000")).status()).toBe(404);
  expect((await request.get("/api/v1/runs/x")).status()).toBe(404);
  expect((await request.post("/api/v1/pipelines/x/runs")).status()).toBe(404);
  expect((await request.get("/api/v1/endpoints/none/openapi.json")).status()).toBe(404);
  // Pages too: an unknown pipeline is a 404 page, not an empty editor.
  expect((await request.get("/pipelines/00000000-0000-0000-0000-000000000000")).status()).toBe(404);
});
