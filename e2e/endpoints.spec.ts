/**
 * Operating endpoints in Chromium: roll back from the endpoint page, make a serving key in
 * settings and call a private endpoint with it, deploy a run's model in one click from the run
 * page. Each step is checked against what callers actually get.
 */
import { expect, test } from "@playwright/test";
import { demoCsv } from "~/lib/templates/demo";
import { adminToken, bearer, demoPipelineId, waitForRun } from "./helpers";

const row = { feature_1: 2, feature_2: -2, feature_3: -2, feature_4: 7 };

test("roll back from the endpoint page, then deploy a run's model to a new private endpoint and call it with a key", async ({ page, playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(adminToken()) });
  // Two runs of the demo: its endpoint serves the newer of two versions of its model, whatever ran before.
  let runId = "";
  for (let i = 0; i < 2; i++) {
    ({ runId } = await (await api.post(`/api/v1/pipelines/${await demoPipelineId(api)}/runs`, { data: { ignoreCache: true } })).json());
    expect((await waitForRun(api, runId)).status).toBe("succeeded");
  }
  const version = async () => ((await (await api.post("/api/v1/endpoints/demo-model/predict", { data: row })).json()) as { modelVersion: number }).modelVersion;
  const newest = await version();
  expect(newest).toBeGreaterThanOrEqual(2);

  // Rollback, revocation and promotion ask first.
  page.on("dialog", (d) => void d.accept());
  await page.goto("/endpoints/demo-model");
  await expect(page.getByTestId("endpoint-access")).toContainText("Public");
  const revisions = page.getByTestId("revisions");
  await expect(revisions.getByText("live")).toHaveCount(1);
  // Roll back to the revision before the newest.
  const older = revisions.locator("tr", { hasText: `v${newest - 1}` }).first();
  await older.getByRole("button", { name: "Roll back to this" }).click();
  await expect.poll(version, { timeout: 5000 }).toBe(newest - 1);
  await expect(revisions.locator("tr").nth(1)).toContainText("rollback");
  await expect(revisions.locator("tr").nth(1)).toContainText("live");
  // "Try it" answers with what the endpoint serves now: the version rolled back to.
  await page.getByTestId("endpoint-demo-model").getByRole("button", { name: "Send request" }).click();
  await expect(page.getByTestId("endpoint-response")).toContainText(new RegExp(`^200 \\{"predictions":\\[[01]\\].*"modelVersion":${newest - 1},`));
  await page.screenshot({ path: "test-results/endpoint-page.png", fullPage: true });

  // One click from the run page: the trained model to a new endpoint (private).
  await page.goto(`/runs/${runId}`);
  await page.getByTestId("panels-train").getByRole("button", { name: "Deploy this model…" }).click();
  await page.getByLabel("Endpoint slug").fill("demo-copy");
  await page.getByTestId("deploy-train").getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "at /demo-copy" })).toContainText("(revision 1)");
  // The run page lists it with the endpoints this run's models serve.
  await page.reload();
  await expect(page.getByTestId("endpoint-demo-copy")).toContainText("private");
  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.post("/api/v1/endpoints/demo-copy/predict", { data: row })).status()).toBe(401);

  // A serving key, made in settings and shown once, opens it.
  await page.goto("/settings/keys");
  await page.getByLabel("Key name").fill("checkout");
  await page.getByLabel("Endpoints the key may call").selectOption(["demo-copy"]);
  await page.getByLabel("Rate limit").fill("600");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("shown-once").textContent())!.trim();
  expect(key).toMatch(/^mrk_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("cell", { name: "checkout" })).toBeVisible();
  await expect(page.getByRole("cell", { name: `${key.slice(0, 10)}…` })).toBeVisible();
  const caller = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(key) });
  await expect.poll(async () => (await caller.post("/api/v1/endpoints/demo-copy/predict", { data: row })).status(), { timeout: 5000 }).toBe(200);
  const answer = await (await caller.post("/api/v1/endpoints/demo-copy/predict", { data: row })).json();
  expect(answer).toMatchObject({ predictions: [0], modelVersion: newest });
  // Scripts find what each endpoint serves in one call.
  const listed = (await (await api.get("/api/v1/endpoints")).json()) as { endpoints: { slug: string; access: string; model: { name: string; version: number } }[] };
  expect(listed.endpoints.find((e) => e.slug === "demo-copy")).toMatchObject({ access: "private", model: { version: newest } });
  // The key is for demo-copy only.
  expect((await caller.post("/api/v1/endpoints/demo-model/predict", { data: row })).status()).toBe(403);
  // Revoked in the UI: refused at once.
  await page.getByRole("row", { name: /checkout/ }).getByRole("button", { name: "Revoke" }).click();
  await expect.poll(async () => (await caller.post("/api/v1/endpoints/demo-copy/predict", { data: row })).status(), { timeout: 5000 }).toBe(401);

  // The registry: the demo's trained model, its versions, an alias moved by REST, the model page.
  const history = (await (await api.get("/api/v1/endpoints/demo-model/revisions")).json()) as { revisions: { model: string }[] };
  const { models } = (await (await api.get("/api/v1/models")).json()) as { models: { name: string; latestVersion: number }[] };
  const demoModel = models.find((m) => m.name === history.revisions[0]!.model)!;
  expect(demoModel.latestVersion).toBeGreaterThanOrEqual(newest);
  const aliased = await api.put(`/api/v1/models/${demoModel.name}/aliases/champion`, { data: { version: newest - 1 } });
  expect(aliased.status()).toBe(200);
  const { versions } = (await (await api.get(`/api/v1/models/${demoModel.name}/versions`)).json()) as { versions: { version: number; aliases: string[]; servedBy: string[]; metrics: Record<string, number> }[] };
  expect(versions.find((v) => v.version === newest - 1)!.aliases).toEqual(["champion"]);
  expect(versions.find((v) => v.version === newest - 1)!.servedBy).toContain("demo-model");
  expect(versions.find((v) => v.version === newest)!.metrics.accuracy).toBeGreaterThan(0.7);
  await page.goto(`/models/${demoModel.name}`);
  await expect(page.getByTestId("model-versions").locator("tr", { has: page.getByRole("cell", { name: "champion", exact: true }) })).toContainText(`v${newest - 1}`);
  await page.screenshot({ path: "test-results/model-page.png", fullPage: true });

  // Deployed by alias from the endpoint page, demo-copy follows champion wherever it moves.
  const served = async () =>
    ((await (await api.get("/api/v1/endpoints")).json()) as { endpoints: { slug: string; model: { version: number }; follows: { alias: string } | null }[] }).endpoints.find((e) => e.slug === "demo-copy")!;
  await page.goto("/endpoints/demo-copy");
  await page.getByLabel("Model version to deploy").selectOption(`alias:${demoModel.name}@champion`);
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("follows")).toContainText(`${demoModel.name}@champion`);
  expect(await served()).toMatchObject({ model: { version: newest - 1 }, follows: { alias: "champion" } });
  expect((await api.put(`/api/v1/models/${demoModel.name}/aliases/champion`, { data: { version: newest } })).status()).toBe(200);
  expect((await served()).model.version).toBe(newest);
  await page.reload();
  await expect(page.getByTestId("revisions").locator("tr").nth(1)).toContainText("alias moved");
});

test("score an uploaded CSV from the endpoint page and download the scored file", async ({ page, playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(adminToken()) });
  if ((await api.post("/api/v1/endpoints/demo-model/predict", { data: row })).status() !== 200) {
    const { runId } = await (await api.post(`/api/v1/pipelines/${await demoPipelineId(api)}/runs`)).json();
    expect((await waitForRun(api, runId)).status).toBe("succeeded");
  }
  // 120 rows as a user would have them: an id column first, the demo's columns, the label too.
  const csv = demoCsv(120, 99)
    .trimEnd()
    .split("\n")
    .map((line, i) => `${i === 0 ? "customer_id" : `C-${1000 + i}`},${line}`)
    .join("\n");
  await page.goto("/endpoints/demo-model");
  await page.getByLabel("CSV file to score").setInputFiles({ name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  const job = page.getByTestId("batch-scores").locator("tr", { hasText: "customers" }).first();
  await expect(job).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(job).toContainText("120 rows");
  await page.getByTestId("batch-scores").locator("..").screenshot({ path: "test-results/batch-scoring.png" });

  const download = page.waitForEvent("download");
  await job.getByRole("link", { name: "Download CSV" }).click();
  const file = await (await download).path();
  const lines = (await import("node:fs")).readFileSync(file, "utf8").trimEnd().split("\n");
  expect(lines).toHaveLength(121);
  const header = lines[0]!.split(",");
  expect(header.slice(0, 6)).toEqual(["customer_id", "feature_1", "feature_2", "feature_3", "feature_4", "target"]);
  expect(header).toContain("prediction");
  // The file says what the endpoint says for the same row.
  const first = Object.fromEntries(header.map((h, i) => [h, lines[1]!.split(",")[i]]));
  const features = Object.fromEntries(["feature_1", "feature_2", "feature_3", "feature_4"].map((f) => [f, first[f] === "" ? null : Number(first[f])]));
  const answer = (await (await api.post("/api/v1/endpoints/demo-model/predict", { data: features })).json()) as { predictions: number[] };
  expect(Number(first["prediction"])).toBe(answer.predictions[0]);
  expect(first["customer_id"]).toBe("C-1001");

  // Kept until a date the page shows, or deleted now with its file (after a confirmation).
  await expect(job).toContainText(/kept until/);
  const { batchScores } = (await (await api.get("/api/v1/batch-scores?slug=demo-model")).json()) as { batchScores: { id: string; datasetName: string }[] };
  // The upload is a dataset named for what it is for, not a new version of a "customers" dataset pipelines might train on.
  const jobId = batchScores.find((j) => j.datasetName === "customers (to score on demo-model)")!.id;
  page.once("dialog", (d) => void d.accept());
  await job.getByRole("button", { name: "Delete the scoring of customers" }).click();
  await expect(page.getByTestId("batch-scores").locator("tr", { hasText: "customers" })).toHaveCount(0);
  expect((await api.get(`/api/v1/batch-scores/${jobId}`)).status()).toBe(404);
});
