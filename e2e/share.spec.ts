/**
 * Sharing a run with someone who has no account: the link opens a read-only report in a fresh
 * browser, without the pipeline's settings, data sources or any control; the run page itself
 * still needs a sign-in; a revoked link shows nothing.
 */
import { expect, test } from "@playwright/test";
import { adminToken, bearer, demoPipelineId, trpc, waitForRun } from "./helpers";

test("share a run by link: a redacted, read-only report for someone without an account, until revoked", async ({ page, browser, playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(adminToken()) });
  const { runId } = await (await api.post(`/api/v1/pipelines/${await demoPipelineId(api)}/runs`)).json();
  expect((await waitForRun(api, runId)).status).toBe("succeeded");

  page.on("dialog", (d) => void d.accept());
  await page.goto(`/runs/${runId}`);
  // A member opens a node: its output's schema with statistics, first rows, a download.
  await page.getByTestId("node-clean").click();
  const inspector = page.getByTestId("node-inspector");
  await expect(inspector.getByTestId("schema-dataset")).toContainText("feature_1");
  await expect(inspector.getByTestId("rows-dataset").locator("tbody tr")).toHaveCount(20);
  const download = page.waitForEvent("download");
  await inspector.getByRole("link", { name: "CSV" }).click();
  const csv = (await import("node:fs")).readFileSync(await (await download).path(), "utf8");
  expect(csv.split("\n")[0]).toContain("feature_1");
  await expect(inspector.getByTestId("node-log")).toContainText(/dataset: 600 rows × 5 columns|reused the output of run/);
  await inspector.getByRole("button", { name: "ingest.dataset" }).click();
  await expect(inspector).toContainText("ingest");
  await inspector.screenshot({ path: "test-results/node-inspector.png" });
  await page.getByRole("button", { name: "Share…" }).click();
  await page.getByLabel("Link expires after").selectOption("7");
  await page.getByRole("button", { name: "Create link" }).click();
  const url = await page.getByTestId("share-url").inputValue();
  expect(url).toMatch(/\/share\/mrs_/);

  // Someone else, in a browser that never signed in.
  const outsider = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const other = await outsider.newPage();
  await other.goto(new URL(url).pathname);
  await expect(other.getByTestId("run-status")).toHaveText("succeeded");
  await expect(other.getByTestId("shared-note")).toContainText("read-only");
  await expect(other.getByTestId("panels-evaluate")).toContainText("accuracy");
  await expect(other.getByTestId("node-feature")).toBeVisible();
  await expect(other.getByTestId("timeline-train")).toBeVisible();
  const body = await other.locator("body").innerText();
  expect(body).not.toContain("feature_1 * feature_2"); // the derived column's expression
  expect(body).not.toContain("demo-model"); // the endpoint
  expect(body).not.toContain(runId);
  for (const control of ["Cancel run", "Share…", "Deploy this model…", "Send request"]) await expect(other.getByRole("button", { name: control })).toHaveCount(0);
  await other.screenshot({ path: "test-results/shared-run.png" });
  // The run page itself is for members.
  await other.goto(`/runs/${runId}`);
  await expect(other).toHaveURL(/\/sign-in/);

  // Revoked: the link shows nothing from then on.
  await page.getByTestId("share-links").getByRole("button", { name: "Revoke" }).first().click();
  await expect(page.getByTestId("share-links").getByText("revoked")).toBeVisible();
  await other.goto(new URL(url).pathname);
  await expect(other.getByText("this link does not show anything")).toBeVisible();
  await outsider.close();
});

test("fix a failed run and resume it: only the fixed node and what follows run again", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  // A pipeline whose training fails: its target has one class.
  const nodes = demo.nodes
    .filter((n: { type: string }) => n.type !== "deploy-endpoint" && n.type !== "monitor-endpoint")
    .map((n: { type: string; config: Record<string, unknown> }) =>
      n.type === "derive-column" ? { ...n, config: { name: "constant", expression: "feature_4 * 0 + 1" } } : n.type === "random-forest" ? { ...n, config: { ...n.config, target: "constant", nEstimators: 9 } } : n,
    );
  const edges = demo.edges.filter((e: { source: string; target: string }) => nodes.some((n: { id: string }) => n.id === e.source) && nodes.some((n: { id: string }) => n.id === e.target));
  const { id } = await (await request.post("/api/v1/pipelines", { data: { name: "Fix me", nodes, edges } })).json();
  const { runId } = await (await request.post(`/api/v1/pipelines/${id}/runs`)).json();
  expect((await waitForRun(request, runId)).status).toBe("failed");

  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-error")).toContainText("single class");
  // The fix: train on the real target (what a user does in the editor), saved as version 2.
  const fixed = { name: "Fix me", nodes: nodes.map((n: { type: string; config: Record<string, unknown> }) => (n.type === "random-forest" ? { ...n, config: { ...n.config, target: "target" } } : n)), edges };
  const saved = await trpc(request, "pipeline.save", { id, document: fixed });
  expect(saved.status, saved.text).toBe(200);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page).not.toHaveURL(new RegExp(runId));
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByText(`resumes`)).toBeVisible();
  await expect(page.getByTestId("cache-feature")).toContainText(`reused from run ${runId.slice(0, 8)}`);
  await expect(page.getByTestId("cache-train")).toContainText("ran: no earlier output of this node"); // it failed before
  await page.screenshot({ path: "test-results/resumed-run.png", fullPage: true });
});
