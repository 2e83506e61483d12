/** Run parameters and dataset triggers, as a user sets them up in the editor. */
import { expect, test, type Page } from "@playwright/test";
import { demoPipelineId, waitForRun } from "./helpers";

async function selectNode(page: Page, id: string) {
  await page.locator(`.react-flow__node[data-id="${id}"]`).click({ position: { x: 60, y: 12 } });
  await expect(page.getByTestId("inspector")).toContainText(`id: ${id}`);
}

test("declare a parameter, use it in a node, launch with a value; a new dataset version triggers a run", async ({ page, request }) => {
  page.on("dialog", (d) => void d.accept());
  // A copy of the demo without its deploy and monitor nodes, reading a dataset of its own name.
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const name = `param-e2e-${Date.now()}`;
  const csv = ["feature_1,feature_2,feature_3,feature_4,target"];
  for (let i = 0; i < 120; i++) csv.push(`${i % 7},${(i * 3) % 11},${i % 5},${i % 2},${(i % 7) + (i % 2) > 4 ? 1 : 0}`);
  const ds = await (await request.post(`/api/v1/datasets?name=${name}`, { headers: { "content-type": "text/csv" }, data: csv.join("\n") })).json();
  const keep = demo.nodes.filter((n: { type: string }) => n.type !== "deploy-endpoint" && n.type !== "monitor-endpoint");
  const ids = new Set(keep.map((n: { id: string }) => n.id));
  // Its dataset is a parameter already (so a trigger can hand it new versions).
  keep[0].config = { datasetId: { $param: "data" } };
  const created = await request.post("/api/v1/pipelines", {
    data: {
      name: "Parametrised",
      parameters: [{ name: "data", type: "dataset", default: ds.id }],
      nodes: keep,
      edges: demo.edges.filter((e: { source: string; target: string }) => ids.has(e.source) && ids.has(e.target)),
    },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();

  await page.goto(`/pipelines/${id}`);
  await page.getByRole("button", { name: /^Parameters/ }).click();
  const params = page.getByRole("dialog", { name: "Parameters" });
  await params.getByRole("button", { name: "+ Add parameter" }).click();
  await params.getByLabel("Parameter name").last().fill("trees");
  await params.getByLabel("Parameter name").last().press("Enter");
  await params.getByLabel("Type of trees").selectOption("integer");
  await params.getByLabel("Default of trees").fill("20");
  await params.getByLabel("Maximum of trees").fill("200");
  await params.getByLabel("Maximum of trees").blur();
  await params.getByLabel("Description of trees").fill("how many trees the forest grows");
  await expect(params.getByTestId("parameter-trees")).toContainText("not used by any node yet");
  // Escape closes the popover (as does a click outside it).
  await page.keyboard.press("Escape");
  await expect(params).toHaveCount(0);

  await selectNode(page, "train");
  await page.getByLabel("Use a parameter for Trees").selectOption("trees");
  await expect(page.getByTestId("param-ref-nEstimators")).toBeVisible();
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved version 2");

  // Run: the launch form, with the default filled in, refuses a value out of range before sending it.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const form = page.getByRole("dialog", { name: "Run with parameters" });
  await expect(form.getByLabel("trees")).toHaveValue("20");
  await expect(form).toContainText("how many trees the forest grows");
  await form.getByLabel("trees").fill("500");
  await expect(form.getByTestId("launch-error-trees")).toHaveText("trees must be at most 200");
  await expect(form.getByRole("button", { name: "Run" })).toBeDisabled();
  await form.getByLabel("trees").fill("35");
  await page.screenshot({ path: "test-results/launch-form.png" });
  await form.getByRole("button", { name: "Run" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").pop()!;
  await expect(page.getByTestId("run-parameters")).toContainText("trees=35");
  const run = await waitForRun(request, runId);
  expect(run).toMatchObject({ status: "succeeded", parameters: { trees: 35 } });

  // A trigger on the dataset's name; uploading a new version under that name starts a run.
  await page.goto(`/pipelines/${id}`);
  await page.getByRole("button", { name: /^Schedules/ }).click();
  const dialog = page.getByRole("dialog", { name: "Schedules and triggers" });
  await dialog.getByLabel("Dataset name").selectOption(name);
  await expect(dialog.getByLabel("Pass it as")).toHaveValue("data");
  await dialog.getByRole("button", { name: "Add trigger" }).click();
  await expect(dialog.getByTestId("triggers")).toContainText(`new version of ${name} → data`);
  await expect(dialog.getByTestId("triggers")).toContainText("Not fired yet");
  const v2 = await request.post(`/api/v1/datasets?name=${name}`, { headers: { "content-type": "text/csv" }, data: csv.slice(0, 90).join("\n") });
  expect(v2.status()).toBe(201);
  let triggered = "";
  await expect
    .poll(
      async () => {
        const { triggers } = await (await request.get(`/api/v1/pipelines/${id}/triggers`)).json();
        triggered = triggers[0]?.lastRunId ?? "";
        return triggered;
      },
      { timeout: 30_000 },
    )
    .toMatch(/^[0-9a-f-]{36}$/);
  // The run read the new version (90 rows), not the old one.
  const v2id = ((await v2.json()) as { id: string }).id;
  expect(await waitForRun(request, triggered)).toMatchObject({ status: "succeeded", parameters: { data: v2id, trees: 20 } });
  await page.reload();
  await page.getByRole("button", { name: /^Schedules/ }).click();
  await expect(page.getByRole("dialog", { name: "Schedules and triggers" }).getByTestId("triggers")).toContainText(`run ${triggered.slice(0, 8)}`);
  await page.getByRole("dialog", { name: "Schedules and triggers" }).screenshot({ path: "test-results/triggers.png" });

  // The two runs side by side: the parameter's values differ.
  await page.goto(`/runs/compare?id=${runId}&id=${triggered}`);
  await expect(page.getByTestId("compare-parameters").locator("tr[data-differs]").filter({ hasText: "trees" })).toHaveCount(1);
  await expect(page.getByTestId("compare-parameters").locator("tr[data-differs]").filter({ hasText: "data" })).toHaveCount(1);
});
