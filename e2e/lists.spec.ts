/** The pipelines list: rename, duplicate, and delete after saying what goes with it. */
import { expect, test } from "@playwright/test";
import { demoPipelineId, waitForRun } from "./helpers";

test("rename, duplicate and delete a pipeline from the list", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const created = await request.post("/api/v1/pipelines", {
    data: { name: "List me", nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
  });
  const { id } = await created.json();
  await page.goto("/pipelines");
  const row = page.getByRole("row", { name: /List me/ });
  await row.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New name for List me").fill("Listed");
  await page.getByLabel("New name for List me").press("Enter");
  await expect(page.getByRole("link", { name: "Listed", exact: true })).toBeVisible();

  await page.getByRole("row", { name: /Listed/ }).getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByRole("link", { name: "Listed (copy)" })).toBeVisible();

  await page.getByRole("row", { name: /^Listed v1/ }).getByRole("button", { name: "Delete…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete Listed" });
  await expect(confirm).toContainText("Delete “Listed”, its 1 version and 0 runs?");
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await expect(page.getByRole("link", { name: "Listed", exact: true })).toBeVisible();
  await page.getByRole("row", { name: /^Listed v1/ }).getByRole("button", { name: "Delete…" }).click();
  await page.getByRole("alertdialog", { name: "Delete Listed" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("link", { name: "Listed", exact: true })).toHaveCount(0);
  expect((await request.get(`/api/v1/pipelines/${id}`)).status()).toBe(404);
  await expect(page.getByRole("link", { name: "Listed (copy)" })).toBeVisible();
});

test("search the pipelines and datasets by name, and sort them", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  for (const name of ["Zebra to find", "alpha to find"]) {
    const created = await request.post("/api/v1/pipelines", {
      data: { name, nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
    });
    expect(created.status()).toBe(201);
  }
  await page.goto("/pipelines");
  const search = page.getByRole("search", { name: "Search pipelines" });
  await search.getByLabel("Name contains").fill("TO FIND");
  await search.getByLabel("Sort by").selectOption("name");
  await search.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/pipelines\?q=TO\+FIND&sort=name$/);
  const names = page.locator("tbody tr td:first-child");
  await expect(names).toHaveText(["alpha to find", "Zebra to find"]);
  // Last updated first by default; the form shows what the list is filtered by.
  await page.goto("/pipelines?q=to%20find");
  await expect(names).toHaveText(["alpha to find", "Zebra to find"]);
  await expect(search.getByLabel("Name contains")).toHaveValue("to find");
  await page.goto("/pipelines?q=nothing%20like%20this");
  await expect(page.getByText("No pipeline name contains “nothing like this”.")).toBeVisible();

  for (const [name, csv] of [["sorted-few", "a,b\n1,2\n"], ["sorted-many", "a,b\n1,2\n3,4\n5,6\n"]]) {
    expect((await request.post(`/api/v1/datasets?name=${name}`, { headers: { "content-type": "text/csv" }, data: csv })).status()).toBe(201);
  }
  await page.goto("/datasets?q=sorted-&sort=rows");
  await expect(page.locator("tbody tr td:first-child")).toHaveText(["sorted-many", "sorted-few"]);
  await expect(page.getByRole("search", { name: "Search datasets" }).getByLabel("Sort by")).toHaveValue("rows");
  await page.goto("/datasets?q=sorted-&sort=name");
  await expect(page.locator("tbody tr td:first-child")).toHaveText(["sorted-few", "sorted-many"]);
});

test("rename a dataset, and delete it after seeing which pipelines read it", async ({ page, request }) => {
  const up = await request.post("/api/v1/datasets?name=listed-data", { headers: { "content-type": "text/csv" }, data: "a,b\n1,2\n3,4\n" });
  const ds = await up.json();
  const created = await request.post("/api/v1/pipelines", {
    data: { name: "Reads listed data", nodes: [{ id: "in", type: "csv-dataset", config: { datasetId: ds.id }, position: { x: 0, y: 0 } }], edges: [] },
  });
  expect(created.status()).toBe(201);
  await page.goto("/datasets");
  const row = page.getByRole("row", { name: /listed-data/ });
  await row.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New name for listed-data").fill("listed, renamed");
  await page.getByLabel("New name for listed-data").press("Enter");
  const renamed = page.getByRole("row", { name: /^listed, renamed (?!\(copy)/ });
  await expect(renamed).toBeVisible();
  // A copy shares the stored data: same rows and columns, its own name and id.
  await renamed.getByRole("button", { name: "Duplicate" }).click();
  const copy = page.getByRole("row", { name: /listed, renamed \(copy\)/ });
  await expect(copy).toBeVisible();
  await expect(copy.locator("td").nth(1)).toHaveText("2");
  // A second copy gets a name of its own, not a new version of the first copy's.
  await renamed.getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByRole("row", { name: /listed, renamed \(copy 2\)/ })).toBeVisible();
  await renamed.getByRole("button", { name: "Delete…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete listed, renamed" });
  await expect(confirm).toContainText("“Reads listed data” reads it and will need another dataset.");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(renamed).toHaveCount(0);
  const list = await (await request.get("/api/v1/datasets")).json();
  expect(list.datasets.some((d: { id: string }) => d.id === ds.id)).toBe(false);
  // The copy outlives the original and still reads its data.
  const kept = list.datasets.find((d: { name: string }) => d.name === "listed, renamed (copy)");
  expect(kept).toMatchObject({ rows: 2 });
  const reader = await request.post("/api/v1/pipelines", {
    data: { name: "Reads the copy", nodes: [{ id: "in", type: "csv-dataset", config: { datasetId: kept.id }, position: { x: 0, y: 0 } }], edges: [] },
  });
  const { runId } = await (await request.post(`/api/v1/pipelines/${(await reader.json()).id}/runs`)).json();
  const run = await waitForRun(request, runId);
  expect(run.status).toBe("succeeded");
});

test("new from a template: the sample dataset and a pipeline that runs as it is", async ({ page, request }) => {
  await page.goto("/pipelines");
  await page.getByRole("button", { name: "Use Penguin species (multi-class)" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");
  const id = page.url().split("/").pop()!;
  const { runId } = await (await request.post(`/api/v1/pipelines/${id}/runs`)).json();
  const run = await waitForRun(request, runId);
  expect(run.status).toBe("succeeded");
  expect((run.metrics as Record<string, number>).accuracy).toBeGreaterThan(0.9);
  // The sample dataset is made once per workspace, with its target marked.
  const { datasets } = await (await request.get("/api/v1/datasets")).json();
  const penguins = datasets.filter((d: { name: string }) => d.name === "palmer-penguins");
  expect(penguins).toHaveLength(1);
  expect(penguins[0].columns.find((c: { name: string }) => c.name === "species").role).toBe("target");
});

test("filter and sort the runs, then compare two side by side", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  // The demo with fewer trees and no deploy, as a pipeline of its own: the comparison has a setting to show.
  const nodes = demo.nodes
    .filter((n: { type: string }) => n.type !== "deploy-endpoint" && n.type !== "monitor-endpoint")
    .map((n: { type: string; config: Record<string, unknown> }) => (n.type === "random-forest" ? { ...n, config: { ...n.config, nEstimators: 7 } } : n));
  const edges = demo.edges.filter((e: { source: string; target: string }) => nodes.some((n: { id: string }) => n.id === e.source) && nodes.some((n: { id: string }) => n.id === e.target));
  const { id } = await (await request.post("/api/v1/pipelines", { data: { name: "Seven trees", nodes, edges } })).json();
  const ids: string[] = [];
  for (const pipeline of [id, id]) {
    const { runId } = await (await request.post(`/api/v1/pipelines/${pipeline}/runs`)).json();
    expect((await waitForRun(request, runId)).status).toBe("succeeded");
    ids.push(runId);
  }
  // The second run of an unchanged pipeline reuses the first's outputs, and says so.
  await page.goto(`/runs/${ids[1]}`);
  await expect(page.getByTestId("cache-train")).toContainText(`reused from run ${ids[0]!.slice(0, 8)}`);
  const { runId: demoRun } = await (await request.post(`/api/v1/pipelines/${demo.id}/runs`)).json();
  expect((await waitForRun(request, demoRun)).status).toBe("succeeded");

  await page.goto("/runs");
  await page.getByLabel("Pipeline").selectOption({ label: "Seven trees" });
  await page.getByLabel("Sort by").selectOption("accuracy");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("runs-total")).toContainText("2 runs");
  await expect(page.getByTestId("runs").getByRole("columnheader", { name: "accuracy" })).toBeVisible();

  await page.goto(`/runs/compare?id=${ids[0]}&id=${demoRun}`);
  await expect(page.getByTestId("compare-settings").locator("tr[data-differs]").first()).toContainText("train.nEstimators");
  await expect(page.getByTestId("compare-settings")).toContainText("100");
  await expect(page.getByTestId("compare-settings")).toContainText("not in this pipeline"); // the deploy node
  await expect(page.getByTestId("compare-metrics")).toContainText("accuracy");
  await page.screenshot({ path: "test-results/compare-runs.png", fullPage: true });
});

test("schedule a pipeline from the editor: next run times, pause, delete", async ({ page, request }) => {
  page.on("dialog", (d) => void d.accept());
  await page.goto(`/pipelines/${await demoPipelineId(request)}`);
  await page.getByRole("button", { name: "Schedules" }).click();
  const dialog = page.getByRole("dialog", { name: "Schedules" });
  await dialog.getByLabel("Cron").fill("30 5 * * *");
  await dialog.getByLabel("Time zone").fill("UTC");
  await dialog.getByRole("button", { name: "Add schedule" }).click();
  const item = dialog.getByTestId("schedules").locator("li", { hasText: "30 5 * * *" });
  await expect(item).toContainText("Next:");
  await dialog.screenshot({ path: "test-results/schedules.png" });
  await item.getByRole("button", { name: "Pause" }).click();
  await expect(item).toContainText("paused");
  await item.getByRole("button", { name: "Delete" }).click();
  await expect(dialog.getByTestId("schedules").locator("li", { hasText: "30 5 * * *" })).toHaveCount(0);
  await dialog.getByLabel("Cron").fill("99 * * * *");
  await dialog.getByRole("button", { name: "Add schedule" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Minute is not in range");
});
