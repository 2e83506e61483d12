/** The canvas for people who live in it: connecting by dropping an edge, fields that apply, notes, keyboard, themes. */
import { expect, test, type Page } from "@playwright/test";
import { demoPipelineId, waitForRun } from "./helpers";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const edge = (page: Page, id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`);
const handle = (page: Page, id: string, side: "source" | "target", port: string) => node(page, id).locator(`.react-flow__handle.${side}[data-handleid="${port}"]`);

async function newPipeline(page: Page) {
  await page.goto("/pipelines");
  await page.getByRole("button", { name: "New pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}

async function add(page: Page, type: string, x: number, y: number) {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId("canvas"), { targetPosition: { x, y } });
}

/** Drags a connection out of a port and lets go on empty canvas, `to` px from the canvas's top left. */
async function dragToPane(page: Page, from: ReturnType<typeof handle>, to: { x: number; y: number }) {
  const a = (await from.boundingBox())!;
  const c = (await page.getByTestId("canvas").boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(c.x + to.x, c.y + to.y, { steps: 12 });
  await page.mouse.up();
  return { x: c.x + to.x, y: c.y + to.y };
}

const clickPane = (page: Page) => page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });

test("an edge dropped on empty canvas offers the node types that can take it, and connects the one chosen", async ({ page }) => {
  await newPipeline(page);
  await add(page, "csv-dataset", 120, 120);
  await expect(node(page, "csv-1")).toBeVisible();

  // Out of the dataset's output: only types with a dataset input are offered.
  const dropped = await dragToPane(page, handle(page, "csv-1", "source", "dataset"), { x: 520, y: 160 });
  const menu = page.getByRole("dialog", { name: "Connect a new node" });
  await expect(menu).toBeVisible();
  const options = menu.getByRole("option");
  const option = (label: string) => options.filter({ has: page.getByText(label, { exact: true }) });
  await expect(option("Fill missing values")).toHaveCount(1);
  await expect(option("Random forest")).toHaveCount(1);
  await expect(option("Deploy endpoint")).toHaveCount(0);
  await expect(option("CSV dataset")).toHaveCount(0);
  // The menu opens where the edge was dropped.
  const box = (await menu.boundingBox())!;
  expect(Math.abs(box.x - dropped.x)).toBeLessThan(4);
  expect(Math.abs(box.y - dropped.y)).toBeLessThan(4);
  await page.screenshot({ path: "/tmp/shots/drop-menu.png" });

  // Typing narrows it with the same fuzzy search as quick add; Enter takes the best match.
  await menu.getByRole("textbox", { name: "Node type" }).fill("fill");
  await page.keyboard.press("Enter");
  await expect(menu).toHaveCount(0);
  await expect(node(page, "fill-1")).toBeVisible();
  await expect(edge(page, "csv-1:dataset->fill-1:dataset")).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  // The new node sits at the drop point, its input towards the edge.
  const placed = (await node(page, "fill-1").boundingBox())!;
  expect(Math.abs(placed.x - dropped.x)).toBeLessThan(24);

  // One undo takes the node and its edge away together; redo brings both.
  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect(node(page, "fill-1")).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await expect(node(page, "csv-1")).toBeVisible();
  await page.keyboard.press("Control+Shift+z");
  await expect(edge(page, "csv-1:dataset->fill-1:dataset")).toHaveCount(1);

  // Out of an input: types with an output of its kind, connected from that output.
  await add(page, "evaluate", 700, 420);
  await expect(node(page, "evaluate-1")).toBeVisible();
  await dragToPane(page, handle(page, "evaluate-1", "target", "model"), { x: 360, y: 470 });
  await expect(menu).toBeVisible();
  await expect(option("Random forest")).toHaveCount(1);
  await expect(option("Fill missing values")).toHaveCount(0);
  await expect(option("Evaluate")).toHaveCount(0);
  await option("Random forest").click();
  await expect(edge(page, "random-1:model->evaluate-1:model")).toHaveCount(1);
  const forest = (await node(page, "random-1").boundingBox())!;
  const evaluate = (await node(page, "evaluate-1").boundingBox())!;
  expect(forest.x + forest.width).toBeLessThan(evaluate.x);

  // Escape, or a click outside, cancels: nothing is added.
  await dragToPane(page, handle(page, "fill-1", "source", "dataset"), { x: 700, y: 120 });
  await expect(menu).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await dragToPane(page, handle(page, "fill-1", "source", "dataset"), { x: 700, y: 120 });
  await expect(menu).toBeVisible();
  await page.mouse.click((await page.getByTestId("canvas").boundingBox())!.x + 40, (await page.getByTestId("canvas").boundingBox())!.y + 400);
  await expect(menu).toHaveCount(0);
  await expect(page.locator(".react-flow__node")).toHaveCount(4);
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
});

async function pipelineWith(request: import("@playwright/test").APIRequestContext, name: string, nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}) {
  const res = await request.post("/api/v1/pipelines", { data: { name, nodes, edges, ...extra } });
  expect(res.status()).toBe(201);
  return (await res.json()).id as string;
}

async function selectNode(page: Page, id: string) {
  await node(page, id).click({ position: { x: 60, y: 12 } });
  await expect(page.getByTestId("inspector")).toContainText(`id: ${id}`);
}

test("the inspector shows only the settings that apply, and a hidden one keeps its value", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const id = await pipelineWith(
    request,
    "Settings that apply",
    [
      { id: "in", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } },
      { id: "split", type: "train-test-split", config: {}, position: { x: 280, y: 0 } },
      { id: "forest", type: "random-forest", config: { classWeight: "balanced" }, position: { x: 560, y: 0 } },
    ],
    [
      { source: "in", sourceHandle: "dataset", target: "split", targetHandle: "dataset" },
      { source: "split", sourceHandle: "train", target: "forest", targetHandle: "train" },
    ],
  );
  await page.goto(`/pipelines/${id}`);
  await selectNode(page, "forest");
  const inspector = page.getByTestId("inspector");
  await expect(inspector.getByLabel("Class weights")).toHaveValue("balanced");
  await expect(page.getByTestId("hidden-settings")).toHaveCount(0);

  // A regressor has no classes to weigh: the setting goes out of sight, its value stays.
  await inspector.getByLabel("Task").selectOption("regression");
  await expect(inspector.getByLabel("Class weights")).toHaveCount(0);
  await expect(page.getByTestId("hidden-settings")).toContainText("Class weights");
  await page.screenshot({ path: "/tmp/shots/inspector-regression.png" });
  await inspector.getByLabel("Task").selectOption("classification");
  await expect(inspector.getByLabel("Class weights")).toHaveValue("balanced");
  // The other engine ignores four settings.
  await inspector.getByLabel("Engine").selectOption("ml-random-forest");
  for (const label of ["Class weights", "Out-of-bag score", "Parallel slices", "Min rows per leaf"]) await expect(inspector.getByLabel(label, { exact: true })).toHaveCount(0);
  await inspector.getByLabel("Engine").selectOption("histogram");

  // A time split has no seed, stratification or target to stratify by; a random one has no time column.
  await selectNode(page, "split");
  await expect(inspector.getByLabel("Time column")).toHaveCount(0);
  await expect(inspector.getByLabel("Seed")).toBeVisible();
  await inspector.getByLabel("Method").selectOption("time");
  await expect(inspector.getByLabel("Time column")).toBeVisible();
  for (const label of ["Seed", "Stratify by the target", "Target column"]) await expect(inspector.getByLabel(label, { exact: true })).toHaveCount(0);
  await inspector.getByLabel("Time column").selectOption("feature_4");
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");

  // Saved, the hidden value is still there.
  await selectNode(page, "forest");
  await inspector.getByLabel("Task").selectOption("regression");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 2");
  const saved = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  expect(saved.nodes.find((n: { id: string }) => n.id === "forest").config).toMatchObject({ task: "regression", classWeight: "balanced" });
});

test("sticky notes: added, written, moved, resized, undone, copied, saved and exported with the pipeline", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const id = await pipelineWith(request, "Notes", [{ id: "in", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }]);
  await page.goto(`/pipelines/${id}`);
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");

  await page.getByRole("button", { name: "Note", exact: true }).click();
  const note = page.getByTestId("note-note-1");
  await expect(note).toBeVisible();
  await note.getByLabel("Note text").fill("feature_3 leaks the target: drop it before training");
  // Notes never compile: the pipeline is as ready as before.
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");

  // Moved by its strip, resized by its corner.
  const before = (await note.boundingBox())!;
  await page.mouse.move(before.x + 20, before.y + 6);
  await page.mouse.down();
  await page.mouse.move(before.x + 20 + 96, before.y + 6 + 64, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await note.boundingBox())!.x - before.x).toBeGreaterThan(60);
  const corner = page.locator('.react-flow__node[data-id="note-1"] .react-flow__resize-control.handle.bottom.right');
  const c = (await corner.boundingBox())!;
  await page.mouse.move(c.x + c.width / 2, c.y + c.height / 2);
  await page.mouse.down();
  await page.mouse.move(c.x + 120, c.y + 60, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await note.boundingBox())!.width).toBeGreaterThan(before.width + 60);
  await page.screenshot({ path: "/tmp/shots/note.png" });

  // Undo steps back through the resize and the move, redo forward again.
  const undoButton = page.getByRole("button", { name: "Undo" });
  await undoButton.click();
  await expect.poll(async () => Math.round((await note.boundingBox())!.width)).toBe(Math.round(before.width));
  await page.getByRole("button", { name: "Redo" }).click();
  await expect.poll(async () => (await note.boundingBox())!.width).toBeGreaterThan(before.width + 60);

  // Copy and paste: a second note with the same words; undo takes it away.
  await note.click({ position: { x: 20, y: 6 } });
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("note-note-2").getByLabel("Note text")).toHaveValue("feature_3 leaks the target: drop it before training");
  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("note-note-2")).toHaveCount(0);

  // Saved with the pipeline: back after a reload, where it was and as large.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 2");
  const saved = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  expect(saved.notes).toHaveLength(1);
  expect(saved.notes[0]).toMatchObject({ id: "note-1", text: "feature_3 leaks the target: drop it before training" });
  expect(saved.notes[0].size.width).toBeGreaterThan(300);
  await page.reload();
  await expect(page.getByTestId("note-note-1").getByLabel("Note text")).toHaveValue("feature_3 leaks the target: drop it before training");
  expect(Math.round((await page.getByTestId("note-note-1").boundingBox())!.width)).toBeGreaterThan(Math.round(before.width) + 60);
  // Quick add offers notes too; Enter on a focused note goes into its text.
  await clickPane(page);
  await page.keyboard.press("/");
  await page.getByRole("textbox", { name: "Node type" }).fill("note");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("note-note-2")).toBeVisible();
  await node(page, "note-2").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("note-note-2").getByLabel("Note text")).toBeFocused();
  await page.keyboard.type("second thoughts");
  await expect(page.getByTestId("note-note-2").getByLabel("Note text")).toHaveValue("second thoughts");
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByTestId("note-note-2")).toHaveCount(0);

  // Comparing versions names the notes added or rewritten.
  await page.getByLabel("Compare with").selectOption("1");
  await expect(page.getByRole("region", { name: "Changes" })).toContainText("~ notes: note-1");
  await page.getByRole("button", { name: "Close the comparison" }).click();

  // The run page shows the notes, read-only.
  const { runId } = await (await request.post(`/api/v1/pipelines/${id}/runs`)).json();
  expect((await waitForRun(request, runId)).status).toBe("succeeded");
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("note-note-1").getByLabel("Note text")).toHaveValue("feature_3 leaks the target: drop it before training");
  await expect(page.getByTestId("note-note-1").getByLabel("Note text")).not.toBeEditable();
  await page.goto(`/pipelines/${id}`);
  await expect(page.getByTestId("note-note-1")).toBeVisible();

  // Exported with the pipeline, in canonical order; imported back, the same bytes.
  const exported = async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByLabel("Export").selectOption("json")]);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const text = await exported();
  const doc = JSON.parse(text);
  expect(Object.keys(doc)).toEqual(["edges", "name", "nodes", "notes"]);
  expect(Object.keys(doc.notes[0])).toEqual(["id", "position", "size", "text"]);
  const edited = JSON.stringify({ ...doc, notes: [...doc.notes, { ...doc.notes[0], id: "note-9", text: "imported" }] }, null, 2) + "\n";
  await page.getByLabel("Import a pipeline file").setInputFiles({ name: "notes.millrace.json", mimeType: "application/json", buffer: Buffer.from(edited) });
  await expect(page.getByTestId("note-note-9").getByLabel("Note text")).toHaveValue("imported");
  expect(await exported()).toBe(edited);
  // A pipeline without notes exports as it always did (no empty list).
  await page.goto(`/pipelines/${await demoPipelineId(request)}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  expect(Object.keys(JSON.parse(await exported()))).toEqual(["edges", "name", "nodes"]);
});

test("the keyboard moves between nodes, opens and deletes them; nodes, ports and tools are named", async ({ page, request }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const id = await pipelineWith(
    request,
    "Keyboard",
    [
      { id: "in", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } },
      { id: "split", type: "train-test-split", config: {}, position: { x: 288, y: 0 } },
      { id: "forest", type: "random-forest", config: {}, position: { x: 576, y: 0 } },
      { id: "score", type: "evaluate", config: {}, position: { x: 576, y: 224 } },
    ],
    [
      { source: "in", sourceHandle: "dataset", target: "split", targetHandle: "dataset" },
      { source: "split", sourceHandle: "train", target: "forest", targetHandle: "train" },
      { source: "split", sourceHandle: "test", target: "score", targetHandle: "test" },
      { source: "forest", sourceHandle: "model", target: "score", targetHandle: "model" },
    ],
  );
  await page.goto(`/pipelines/${id}`);
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");

  // Named for assistive technology: nodes (type, id, state), ports, tools and the palette.
  await expect(node(page, "forest")).toHaveAttribute("aria-label", "Random forest node forest, ready");
  await expect(handle(page, "forest", "target", "train")).toHaveAttribute("aria-label", "input Train set (dataset)");
  await expect(handle(page, "forest", "source", "model")).toHaveAttribute("aria-label", "output Model (model)");
  await expect(page.getByRole("complementary", { name: "Node palette" })).toBeVisible();
  for (const name of ["Undo", "Redo", "Note", "Tidy", "Save", "Run"]) await expect(page.getByRole("button", { name, exact: true })).toBeInViewport();
  await expect(page.getByRole("group", { name: "Train/test split node split, ready" })).toBeVisible();

  // Tab goes from node to node; arrows go to the nearest node that way.
  await node(page, "in").focus();
  await page.keyboard.press("Tab");
  await expect(node(page, "split")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(node(page, "forest")).toBeFocused();
  await expect(node(page, "forest")).toHaveCSS("outline-style", "solid");
  await page.keyboard.press("ArrowDown");
  await expect(node(page, "score")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(node(page, "forest")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(node(page, "split")).toBeFocused();
  await page.screenshot({ path: "/tmp/shots/keyboard-focus-1280.png" });

  // Enter opens the node's settings, with the focus in them; Escape goes back to the node.
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("inspector")).toContainText("id: split");
  await expect(page.getByTestId("inspector")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("inspector").getByRole("button", { name: "Delete" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("inspector").getByLabel("Method")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(node(page, "split")).toBeFocused();

  // Shift with an arrow moves the node (a grid step at a time); one undo puts it back.
  const x = async () => (await node(page, "split").boundingBox())!.x;
  const x0 = await x();
  await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("Shift+ArrowRight");
  await expect.poll(x).toBeGreaterThan(x0 + 60);
  await expect(node(page, "split")).toBeFocused();
  await page.keyboard.press("Control+z");
  await expect.poll(async () => Math.round(await x())).toBe(Math.round(x0));

  // Delete removes the focused node and its edges, and the focus stays on the canvas; undo brings them back.
  await page.keyboard.press("ArrowRight");
  await expect(node(page, "forest")).toBeFocused();
  await page.keyboard.press("Delete");
  await expect(node(page, "forest")).toHaveCount(0);
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);
  await expect(page.locator(".react-flow__node:focus")).toHaveCount(1);
  await page.keyboard.press("Control+z");
  await expect(node(page, "forest")).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);

  // Edges are not in the Tab order (there are more of them than nodes, and they come first in
  // the page): Tab from the palette's last entry reaches the first node. A node's settings list
  // its connections instead, each a way to the other node and, when editing, to remove it.
  await page.locator('[data-testid^="palette-"]').last().focus();
  await page.keyboard.press("Tab");
  await expect(node(page, "in")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(node(page, "split")).toBeFocused();
  await page.keyboard.press("Enter");
  const connections = page.getByTestId("connections");
  await expect(connections.getByRole("listitem")).toHaveText([
    "Dataset ← CSV dataset (in) · DatasetDisconnect",
    "Train → Random forest (forest) · Train setDisconnect",
    "Test → Evaluate (score) · Test setDisconnect",
  ]);
  await page.screenshot({ path: "/tmp/shots/connections-1280.png" });
  await connections.getByRole("button", { name: "Disconnect Test → Evaluate (score) · Test set" }).click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await expect(connections.getByRole("listitem")).toHaveCount(2);
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await expect(page.locator(".react-flow__edge")).toHaveCount(4);
  await connections.getByRole("button", { name: "Train → Random forest (forest) · Train set", exact: true }).click();
  await expect(page.getByTestId("inspector")).toContainText("id: forest");
  await expect(node(page, "forest")).toBeFocused();

  // The palette works from the keyboard too.
  await page.getByTestId("palette-scale").focus();
  await page.keyboard.press("Enter");
  await expect(node(page, "scale-1")).toBeVisible();
  await page.screenshot({ path: "/tmp/shots/keyboard-1280.png" });
});

test("light and dark themes: the system's by default, a choice in the header kept across reloads without a flash", async ({ page, request }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  const demoId = await demoPipelineId(request);
  const isDark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  // No choice made: the system's preference, either way.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(`/pipelines/${demoId}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  expect(await isDark()).toBe(true);
  await expect(page.getByLabel("Theme")).toHaveValue("system");
  await page.emulateMedia({ colorScheme: "light" });
  await expect.poll(isDark).toBe(false);
  const light = await background();
  await page.screenshot({ path: "/tmp/shots/theme-light-canvas.png" });

  // Chosen in the header: dark at once, the canvas too, and still dark after a reload — before any script of the app runs.
  await page.getByLabel("Theme").selectOption("dark");
  await expect.poll(isDark).toBe(true);
  expect(await background()).not.toBe(light);
  await expect(page.locator(".react-flow")).toHaveClass(/\bdark\b/);
  await page.reload({ waitUntil: "commit" });
  await page.waitForLoadState("domcontentloaded");
  expect(await isDark()).toBe(true);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  await expect(page.getByLabel("Theme")).toHaveValue("dark");
  await page.getByRole("button", { name: "Note", exact: true }).click();
  await page.getByTestId("note-note-1").getByLabel("Note text").fill("Dark, and still readable");
  await page.locator('.react-flow__node[data-id="train"]').click({ position: { x: 60, y: 12 } });
  await expect(page.getByTestId("inspector")).toContainText("id: train");
  await page.screenshot({ path: "/tmp/shots/theme-dark-canvas.png" });

  // The run page, dark.
  page.on("dialog", (d) => void d.accept());
  const { runId } = await (await request.post(`/api/v1/pipelines/${demoId}/runs`)).json();
  expect((await waitForRun(request, runId)).status).toBe("succeeded");
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded");
  expect(await isDark()).toBe(true);
  // Run page nodes are named with their status, and open with Enter as with a click.
  await expect(page.locator('.react-flow__node[data-id="train"]')).toHaveAttribute("aria-label", "Random forest node train, succeeded");
  await page.locator('.react-flow__node[data-id="train"]').focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-inspector")).toHaveAttribute("aria-label", "Node train");
  await page.screenshot({ path: "/tmp/shots/theme-dark-run.png", fullPage: true });

  // Back to light, kept too; then to the system's again.
  await page.getByLabel("Theme").selectOption("light");
  await page.reload();
  expect(await isDark()).toBe(false);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded");
  await page.screenshot({ path: "/tmp/shots/theme-light-run.png", fullPage: true });
  await page.getByLabel("Theme").selectOption("system");
  expect(await page.evaluate(() => localStorage.getItem("millrace:theme"))).toBeNull();
  expect(violations).toEqual([]);
});
