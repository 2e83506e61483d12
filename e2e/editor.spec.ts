/** A user builds the demo pipeline by hand in Chromium, runs it and calls the endpoint. */
import { expect, test, type Page } from "@playwright/test";
import { demoPipelineId, waitForRun } from "./helpers";

async function drop(page: Page, type: string, x: number, y: number) {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId("canvas"), { targetPosition: { x, y } });
}

async function connect(page: Page, source: string, sourceHandle: string, target: string, targetHandle: string) {
  const from = page.locator(`.react-flow__node[data-id="${source}"] .react-flow__handle.source[data-handleid="${sourceHandle}"]`);
  const to = page.locator(`.react-flow__node[data-id="${target}"] .react-flow__handle.target[data-handleid="${targetHandle}"]`);
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function selectNode(page: Page, id: string) {
  await page.locator(`.react-flow__node[data-id="${id}"]`).click({ position: { x: 60, y: 12 } });
  await expect(page.getByTestId("inspector")).toContainText(`id: ${id}`);
}

test("build, configure, save and run a pipeline on the canvas, then call its endpoint", async ({ page }) => {
  await page.goto("/pipelines");
  await page.getByRole("button", { name: "New pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("compile-status")).toHaveText("1 problem");

  const layout: [string, number, number][] = [
    ["csv-dataset", 140, 80],
    ["fill-missing", 400, 80],
    ["derive-column", 660, 80],
    ["train-test-split", 140, 260],
    ["random-forest", 400, 260],
    ["evaluate", 660, 260],
    ["deploy-endpoint", 140, 440],
    ["monitor-endpoint", 400, 440],
  ];
  for (const [type, x, y] of layout) await drop(page, type, x, y);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);

  await connect(page, "csv-1", "dataset", "fill-1", "dataset");
  await connect(page, "fill-1", "dataset", "derive-1", "dataset");
  await connect(page, "derive-1", "dataset", "train-1", "dataset");
  await connect(page, "train-1", "train", "random-1", "train");
  await connect(page, "random-1", "model", "evaluate-1", "model");
  await connect(page, "train-1", "test", "evaluate-1", "test");
  await connect(page, "random-1", "model", "deploy-1", "model");
  await connect(page, "evaluate-1", "metrics", "deploy-1", "metrics");
  await connect(page, "deploy-1", "endpoint", "monitor-1", "endpoint");
  await expect(page.locator(".react-flow__edge")).toHaveCount(9);

  // A model cannot feed a dataset input: the connection is refused, and the canvas says why.
  await connect(page, "random-1", "model", "derive-1", "dataset");
  await expect(page.locator(".react-flow__edge")).toHaveCount(9);
  await expect(page.getByRole("status")).toHaveText("Not connected: Derived column's input 'Dataset' takes a dataset; Random forest's 'Model' is a model");

  // Errors are shown on the offending node until it is configured.
  await expect(page.getByTestId("errors-csv-1")).toContainText("choose a dataset");
  await expect(page.getByTestId("errors-derive-1")).toContainText("expression is empty");

  // Run waits until the problems are fixed and says why; a click on it lists them, and a problem
  // in the list opens its node.
  const runButton = page.getByRole("button", { name: "Run", exact: true });
  await expect(runButton).toBeDisabled();
  await expect(page.getByTestId("run-blocked")).toHaveText(/^Fix the \d+ problems first$/);
  await page.screenshot({ path: "test-results/run-blocked.png" });
  await runButton.dispatchEvent("click");
  const panel = page.getByRole("alert", { name: "Problems" });
  await expect(panel).toContainText("choose a dataset");
  await panel.getByRole("button", { name: /^csv-1 · / }).first().click();
  await expect(page.getByTestId("inspector")).toContainText("id: csv-1");

  await selectNode(page, "csv-1");
  await page.getByLabel("Dataset", { exact: true }).selectOption({ label: "demo-classification (600 rows)" });
  await expect(page.getByTestId("errors-csv-1")).toHaveCount(0);

  await selectNode(page, "derive-1");
  await page.getByLabel("Expression").fill("feature_1 * nope");
  await expect(page.getByTestId("field-error-expression")).toContainText("column 'nope' is not in the input");
  await page.getByLabel("Expression").fill("feature_1 * feature_2");
  await expect(page.getByTestId("errors-derive-1")).toHaveCount(0);

  await selectNode(page, "random-1");
  // The target comes from the dataset's roles unless chosen: the inspector says which one.
  await expect(page.getByLabel("Target column")).toHaveValue("");
  await expect(page.getByLabel("Target column").locator("option:checked")).toHaveText("the dataset's target: target");
  // A setting out of its range is named in the user's words, on the field and on the node.
  await page.getByLabel("Trees").fill("2.5");
  await expect(page.getByTestId("field-error-nEstimators")).toHaveText("Trees must be a whole number from 1 to 2000");
  await expect(page.getByTestId("errors-random-1")).toContainText("Trees must be a whole number from 1 to 2000");
  await page.getByLabel("Trees").fill("25");

  // A new deploy node's slug comes from the pipeline's name, not from the demo's endpoint.
  await selectNode(page, "deploy-1");
  await expect(page.getByLabel("Endpoint slug")).toHaveValue("untitled-pipeline");
  await page.getByLabel("Endpoint slug").fill("e2e-canvas");

  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");
  await expect(runButton).toBeEnabled();
  await expect(page.getByTestId("run-blocked")).toHaveCount(0);

  // Delete a node and its edges, then undo by adding it back: deletion works from the inspector.
  await selectNode(page, "monitor-1");
  await page.getByTestId("inspector").getByRole("button", { name: "Delete" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(7);
  await expect(page.locator(".react-flow__edge")).toHaveCount(8);
  await drop(page, "monitor-endpoint", 400, 440);
  await connect(page, "deploy-1", "endpoint", "monitor-1", "endpoint");
  await expect(page.locator(".react-flow__edge")).toHaveCount(9);

  await page.getByLabel("Pipeline name").fill("Canvas-built pipeline");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved version 2");
  // Every node dropped by hand sits on the 16 px grid.
  const savedDoc = await (await page.request.get(`/api/v1/pipelines/${page.url().split("/").pop()}`)).json();
  for (const n of savedDoc.nodes as { id: string; position: { x: number; y: number } }[]) expect([n.id, Math.abs(n.position.x % 16), Math.abs(n.position.y % 16)]).toEqual([n.id, 0, 0]);

  await page.reload();
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  await expect(page.locator(".react-flow__edge")).toHaveCount(9);
  await expect(page.getByLabel("Pipeline name")).toHaveValue("Canvas-built pipeline");

  await page.getByRole("button", { name: "Run" }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });
  for (const id of ["csv-1", "fill-1", "derive-1", "train-1", "random-1", "evaluate-1", "deploy-1", "monitor-1"]) {
    await expect(page.getByTestId(`status-${id}`)).toHaveText("succeeded");
  }
  await expect(page.getByTestId("panels-evaluate-1")).toContainText("accuracy");
  await expect(page.getByTestId("bars-random-1")).toContainText("new_feature");

  const endpoint = page.getByTestId("endpoint-e2e-canvas");
  await expect(endpoint).toContainText("curl");
  // Far from the decision boundary (target ≈ feature_1 · feature_2 + 0.8 · feature_3 > 0) the class is certain.
  await endpoint.getByLabel("Request body").fill('{"feature_1": 2, "feature_2": 2, "feature_3": 2, "feature_4": 5}');
  await endpoint.getByRole("button", { name: "Send request" }).click();
  await expect(page.getByTestId("endpoint-response")).toContainText(/^200 \{"predictions":\[1\],"probabilities":\[\{"0":[\d.e-]+,"1":[\d.e-]+\}\],"model":"canvas-built-pipeline-[a-z0-9-]+","modelVersion":1/);
  await page.screenshot({ path: "test-results/run-page.png" });
});

test("the demo pipeline is ready on the canvas, and a failing run shows its error on the node", async ({ page, request }) => {
  // The pages run under a strict CSP (scripts by nonce only): nothing of ours may trip it.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  await page.goto("/");
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  const demoId = await demoPipelineId(request);
  await page.goto(`/pipelines/${demoId}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  await expect(page.locator(".react-flow__edge")).toHaveCount(9);
  await expect(page.getByTestId("compile-status")).toHaveText("ready to run");

  // A runtime failure (a single-class target) is shown on the failed node; downstream nodes are skipped.
  const doc = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  doc.name = "Failing pipeline";
  delete doc.id;
  delete doc.version;
  doc.nodes.find((n: { id: string }) => n.id === "feature").config = { name: "one", expression: "feature_4 * 0 + 1" };
  doc.nodes.find((n: { id: string }) => n.id === "train").config = { target: "one", nEstimators: 5 };
  doc.nodes.find((n: { id: string }) => n.id === "deploy").config = { slug: "failing-copy" };
  const { id } = await (await request.post("/api/v1/pipelines", { data: doc })).json();
  const { runId } = await (await request.post(`/api/v1/pipelines/${id}/runs`)).json();
  // At 1280×800 the run page fits the whole pipeline in its canvas, with a minimap.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toHaveText("failed", { timeout: 60_000 });
  await expect(page.getByTestId("status-train")).toHaveText("failed");
  await expect(page.getByTestId("status-deploy")).toHaveText("skipped");
  await expect(page.getByTestId("run-error")).toContainText("node train: target column 'one' has a single class");
  const pane = (await page.locator(".react-flow").first().boundingBox())!;
  for (const n of await page.locator(".react-flow__node").all()) {
    const box = (await n.boundingBox())!;
    expect(box.x >= pane.x - 1 && box.y >= pane.y - 1 && box.x + box.width <= pane.x + pane.width + 1 && box.y + box.height <= pane.y + pane.height + 1, `node ${await n.getAttribute("data-id")} inside the canvas`).toBe(true);
  }
  await expect(page.locator(".react-flow__minimap")).toBeVisible();
  await expect(page.locator(".react-flow__minimap-node")).toHaveCount(8);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: "test-results/run-page-1280.png" });
  expect(violations).toEqual([]);
});

test("unsaved edits of one pipeline never show up in, or get saved into, another", async ({ page, request }) => {
  const demoId = await demoPipelineId(request);
  const demo = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  const other = await request.post("/api/v1/pipelines", {
    data: { name: "Pipeline B", nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
  });
  expect(other.status()).toBe(201);
  const bId = (await other.json()).id as string;
  const versionsOf = async (id: string) => (await (await request.get(`/api/v1/pipelines/${id}`)).json()) as { version: number; nodes: unknown[]; name: string };
  const before = await versionsOf(demoId);

  // Edit A (the demo) without saving: add a node and rename it.
  await page.goto(`/pipelines/${demoId}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  await drop(page, "fill-missing", 300, 500);
  await page.getByLabel("Pipeline name").fill("A, edited");
  await expect(page.locator(".react-flow__node")).toHaveCount(9);

  // Leave through the header (saying yes when asked about the unsaved edits), open B.
  const asked = new Promise<string>((resolve) => page.once("dialog", (d) => void d.accept().then(() => resolve(d.message()))));
  await page.getByRole("navigation").getByRole("link", { name: "Pipelines" }).click();
  expect(await asked).toContain("Leave with unsaved edits?");
  await page.getByRole("link", { name: "Pipeline B" }).click();
  await expect(page).toHaveURL(new RegExp(`/pipelines/${bId}$`));
  await expect(page.getByLabel("Pipeline name")).toHaveValue("Pipeline B");
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  await expect(page.locator('.react-flow__node[data-id="only"]')).toBeVisible();

  // Saving B stores B's graph; A is untouched.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved version 2");
  const b = await versionsOf(bId);
  expect(b).toMatchObject({ version: 2, name: "Pipeline B" });
  expect(b.nodes).toHaveLength(1);
  const a = await versionsOf(demoId);
  expect(a).toMatchObject({ version: before.version, name: before.name });
  expect(a.nodes).toHaveLength(8);

  // A refused save says why in words, not as a validation dump.
  await page.getByLabel("Pipeline name").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Save failed: name is required");
});

test("undo and redo every edit, copy and paste nodes, and tidy the layout", async ({ page }) => {
  await page.goto("/pipelines");
  await page.getByRole("button", { name: "New pipeline" }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  const nodes = page.locator(".react-flow__node");
  const undo = () => page.keyboard.press("Control+z");
  const redo = () => page.keyboard.press("Control+Shift+z");

  // The problem count opens the list of every problem, which follows the edits.
  await page.getByTestId("compile-status").click();
  await expect(page.getByRole("alert", { name: "Problems" })).toContainText("the pipeline has no nodes");

  await drop(page, "csv-dataset", 140, 120);
  // The first node lands where it was dropped (its top-left corner 100 px left of the pointer,
  // snapped to the 16 px grid), not centred.
  const canvas = (await page.getByTestId("canvas").boundingBox())!;
  const first = (await page.locator('.react-flow__node[data-id="csv-1"]').boundingBox())!;
  expect(Math.abs(first.x - (canvas.x + 40))).toBeLessThanOrEqual(9);
  expect(Math.abs(first.y - (canvas.y + 90))).toBeLessThanOrEqual(9);
  await drop(page, "fill-missing", 420, 120);
  await expect(nodes).toHaveCount(2);
  await expect(page.getByRole("alert", { name: "Problems" })).toContainText("fill-1 · inputs.dataset: input 'Dataset' is not connected");
  await page.getByTestId("compile-status").click();
  await expect(page.getByRole("alert", { name: "Problems" })).toHaveCount(0);
  await connect(page, "csv-1", "dataset", "fill-1", "dataset");
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // A config edit is one step, however many keystrokes.
  await selectNode(page, "fill-1");
  await page.getByLabel("Constant (text columns)").fill("unknown value");
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await undo();
  await selectNode(page, "fill-1");
  await expect(page.getByLabel("Constant (text columns)")).toHaveValue("missing");
  await redo();
  await expect(page.getByLabel("Constant (text columns)")).toHaveValue("unknown value");

  // Undo the config edit, the edge, then the second node; redo brings all three back.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await undo();
  await undo();
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await expect(nodes).toHaveCount(2);
  await undo();
  await expect(nodes).toHaveCount(1);
  await redo();
  await redo();
  await redo();
  await expect(nodes).toHaveCount(2);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);

  // A node added by clicking the palette appears in view; undo takes it away again.
  await page.getByTestId("palette-evaluate").click();
  const added = (await page.locator('.react-flow__node[data-id="evaluate-1"]').boundingBox())!;
  expect(added.x).toBeGreaterThan(canvas.x);
  expect(added.x + added.width).toBeLessThan(canvas.x + canvas.width);
  expect(added.y + added.height).toBeLessThan(canvas.y + canvas.height);
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await undo();
  await expect(nodes).toHaveCount(2);

  // Copy a configured node and paste it: a new id, the same settings.
  await selectNode(page, "fill-1");
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(nodes).toHaveCount(3);
  await selectNode(page, "fill-2");
  await expect(page.getByLabel("Constant (text columns)")).toHaveValue("unknown value");

  // Tidy lays the graph out left to right along its edges; undo puts everything back.
  const x = async (id: string) => (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!.x;
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.getByRole("button", { name: "Tidy" }).click();
  await expect.poll(async () => (await x("fill-1")) - (await x("csv-1"))).toBeGreaterThan(150);
  await page.screenshot({ path: "test-results/canvas-tidy.png" });
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("button", { name: "Redo" })).toBeEnabled();

  // Quick add: "/" opens a search over node types; a few letters and Enter add the best match.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("/");
  await page.getByRole("textbox", { name: "Node type" }).fill("rndfor");
  await expect(page.getByRole("listbox", { name: "Matches" }).getByRole("option").first()).toContainText("Random forest");
  await page.keyboard.press("Enter");
  await expect(page.locator('.react-flow__node[data-id="random-1"]')).toBeVisible();
  await page.keyboard.press("Control+k");
  await page.getByRole("textbox", { name: "Node type" }).fill("zzzz");
  await expect(page.getByRole("dialog", { name: "Add a node" })).toContainText("No node type matches");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Add a node" })).toHaveCount(0);
});

test("select several nodes: move, delete, duplicate and copy them as a group, also into another pipeline", async ({ page, request }) => {
  const demoId = await demoPipelineId(request);
  const demo = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  const datasetId = demo.nodes[0].config.datasetId;
  const make = async (name: string, nodes: unknown[], edges: unknown[] = []) => (await (await request.post("/api/v1/pipelines", { data: { name, nodes, edges } })).json()).id as string;
  const from = await make(
    "Group source",
    [
      { id: "in", type: "csv-dataset", config: { datasetId }, position: { x: 0, y: 0 } },
      { id: "fill", type: "fill-missing", config: {}, position: { x: 288, y: 0 } },
      { id: "split", type: "train-test-split", config: {}, position: { x: 576, y: 0 } },
    ],
    [
      { source: "in", sourceHandle: "dataset", target: "fill", targetHandle: "dataset" },
      { source: "fill", sourceHandle: "dataset", target: "split", targetHandle: "dataset" },
    ],
  );
  const into = await make("Group target", [{ id: "only", type: "csv-dataset", config: { datasetId }, position: { x: 0, y: 0 } }]);
  await page.goto(`/pipelines/${from}`);
  const nodes = page.locator(".react-flow__node");
  const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  await expect(nodes).toHaveCount(3);

  // Control+click adds to the selection; dragging one selected node moves both.
  await node("fill").click({ position: { x: 60, y: 12 } });
  await node("split").click({ position: { x: 60, y: 12 }, modifiers: ["Control"] });
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);
  const box = async (id: string) => (await node(id).boundingBox())!;
  const [fill0, split0, in0] = [await box("fill"), await box("split"), await box("in")];
  await page.mouse.move(fill0.x + 60, fill0.y + 12);
  await page.mouse.down();
  await page.mouse.move(fill0.x + 60, fill0.y + 140, { steps: 8 });
  await page.mouse.up();
  // How far a node moved, measured against the node left behind (the view may pan during the drag).
  const moved = async (id: string, before: { y: number }) => (await box(id)).y - (await box("in")).y - (before.y - in0.y);
  await expect.poll(() => moved("fill", fill0)).toBeGreaterThan(100);
  expect(Math.round(await moved("split", split0))).toBe(Math.round(await moved("fill", fill0)));

  // Control+D duplicates both, with the edge between them; one undo takes the copies away.
  await page.keyboard.press("Control+d");
  await expect(nodes).toHaveCount(5);
  await expect(page.locator(".react-flow__edge")).toHaveCount(3);
  await page.keyboard.press("Control+z");
  await expect(nodes).toHaveCount(3);

  // Delete removes both (and their edges); undo brings them back.
  await page.locator(".react-flow__node.selected").first().focus();
  await page.keyboard.press("Delete");
  await expect(nodes).toHaveCount(1);
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(nodes).toHaveCount(3);
  await expect(page.locator(".react-flow__edge")).toHaveCount(2);

  // Copied here, pasted into another pipeline: the two nodes, their settings and the edge between them.
  await node("fill").click({ position: { x: 60, y: 12 } });
  await node("split").click({ position: { x: 60, y: 12 }, modifiers: ["Control"] });
  await page.keyboard.press("Control+c");
  page.once("dialog", (d) => void d.accept()); // the moved nodes are unsaved edits
  await page.goto(`/pipelines/${into}`);
  await expect(nodes).toHaveCount(1);
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+v");
  await expect(nodes).toHaveCount(3);
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved version 2");
  const saved = await (await request.get(`/api/v1/pipelines/${into}`)).json();
  expect(saved.nodes.map((n: { type: string }) => n.type).sort()).toEqual(["csv-dataset", "fill-missing", "train-test-split"]);
  expect(saved.edges).toHaveLength(1);
});

test("export and import a pipeline file: canonical JSON, round trip exact, bad files refused", async ({ page, request }) => {
  const demoId = await demoPipelineId(request);
  await page.goto(`/pipelines/${demoId}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(8);
  const exportedBytes = async (format: string) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByLabel("Export").selectOption(format)]);
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
  };
  const exported = async (format = "json") => {
    const { name, bytes } = await exportedBytes(format);
    return { name, text: bytes.toString("utf8") };
  };
  const first = await exported();
  expect(first.name).toMatch(/\.millrace\.json$/);
  const doc = JSON.parse(first.text);
  expect(doc.nodes).toHaveLength(8);
  // Keys in a stable order at every level: the same pipeline always gives the same bytes.
  expect(Object.keys(doc)).toEqual(["edges", "name", "nodes"]);

  const edited = JSON.stringify({ ...doc, name: "Imported copy" }, null, 2) + "\n";
  await page.getByLabel("Import a pipeline file").setInputFiles({ name: "copy.millrace.json", mimeType: "application/json", buffer: Buffer.from(edited) });
  await expect(page.getByLabel("Pipeline name")).toHaveValue("Imported copy");
  await expect(page.getByText("unsaved changes")).toBeVisible();
  expect((await exported()).text).toBe(edited);

  // Undo takes the import back; a file that is not a pipeline is refused with the reason.
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
  await page.keyboard.press("Control+z");
  await expect(page.getByLabel("Pipeline name")).toHaveValue(doc.name);
  await page.getByLabel("Import a pipeline file").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"name": "x", "nodes": "none"}') });
  await expect(page.getByRole("status")).toContainText("Import failed: nodes:");
  await page.getByLabel("Import a pipeline file").setInputFiles({ name: "junk.json", mimeType: "application/json", buffer: Buffer.from("not json") });
  await expect(page.getByRole("status")).toHaveText("Import failed: junk.json is not JSON");

  // The same tree as YAML, round trip exact; and pictures of the whole graph.
  const yaml = await exported("yaml");
  expect(yaml.name).toMatch(/\.millrace\.yaml$/);
  expect(yaml.text).toContain("nodes:\n");
  await page.getByLabel("Import a pipeline file").setInputFiles({ name: "same.millrace.yaml", mimeType: "application/yaml", buffer: Buffer.from(yaml.text) });
  await expect(page.getByRole("status")).toContainText("Imported same.millrace.yaml");
  expect((await exported("yaml")).text).toBe(yaml.text);
  const png = await exportedBytes("png");
  expect(png.name).toMatch(/\.png$/);
  expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  const svg = await exported("svg");
  expect(svg.name).toMatch(/\.svg$/);
  expect(svg.text).toMatch(/^<svg /);
});

test("bring back an earlier version, then save it as the latest", async ({ page, request }) => {
  const demoId = await demoPipelineId(request);
  const demo = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  const created = await request.post("/api/v1/pipelines", {
    data: { name: "Versions", nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
  });
  const { id } = await created.json();
  await page.goto(`/pipelines/${id}`);
  await page.getByTestId("palette-fill-missing").click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 2");
  await expect(page.locator(".react-flow__node")).toHaveCount(2);

  // Compare the canvas with version 1: the new node is highlighted and listed; an unsaved edit shows too.
  await page.getByLabel("Compare with").selectOption("1");
  const changes = page.getByRole("region", { name: "Changes" });
  await expect(changes).toContainText("Changes since version 1");
  await expect(changes).toContainText("+ fill-1");
  await expect(page.locator('.react-flow__node[data-id="fill-1"] [data-diff="added"]')).toBeVisible();
  await selectNode(page, "only");
  await page.getByLabel("Dataset", { exact: true }).selectOption({ index: 0 });
  await expect(changes).toContainText("~ only: datasetId");
  await expect(page.locator('.react-flow__node[data-id="only"] [data-diff="changed"]')).toBeVisible();
  await page.getByRole("button", { name: "Close the comparison" }).click();
  await expect(changes).toHaveCount(0);
  await page.getByRole("button", { name: "Undo" }).click();

  // Name the latest version; the version lists show the name.
  await page.getByRole("button", { name: "name v2…" }).click();
  await page.getByLabel("Name of version 2").fill("with a fill");
  await page.getByLabel("Name of version 2").press("Enter");
  await expect(page.getByRole("button", { name: "“with a fill”" })).toBeVisible();
  await expect(page.getByLabel("Compare with").locator("option")).toHaveText(["compare…", "compare with v2 “with a fill”", "compare with v1"]);
  await expect(page.getByLabel("Versions").locator("option")).toHaveText([/^v2 · versions/, /^restore v2 “with a fill” · .* · 2 nodes$/, /^restore v1 · .* · 1 nodes$/]);
  await page.getByLabel("Versions").selectOption("1");
  await expect(page.getByRole("status")).toHaveText("Restored version 1: save to make it the latest");
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  // Compared with version 2, the node it had and the canvas does not is drawn faded in its place.
  await page.getByLabel("Compare with").selectOption("2");
  await expect(changes).toContainText("− fill-1 (fill-missing)");
  const ghost = page.locator('.react-flow__node[data-id="~removed:fill-1"]');
  await expect(ghost).toHaveAttribute("aria-label", "Fill missing values node fill-1, removed since version 2");
  await expect(ghost.locator('[data-diff="removed"]')).toBeVisible();
  await page.screenshot({ path: "test-results/compare-removed.png" });
  await page.getByRole("button", { name: "Close the comparison" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 3");
  const latest = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  expect(latest).toMatchObject({ version: 3 });
  expect(latest.nodes.map((n: { id: string }) => n.id)).toEqual(["only"]);
});

test("two tabs editing one pipeline: the second save shows the conflict instead of overwriting", async ({ page, context, request }) => {
  const demoId = await demoPipelineId(request);
  const demo = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  const created = await request.post("/api/v1/pipelines", {
    data: { name: "Two tabs", nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
  });
  const { id } = await created.json();
  const other = await context.newPage();
  await page.goto(`/pipelines/${id}`);
  await other.goto(`/pipelines/${id}`);
  await expect(other.locator(".react-flow__node")).toHaveCount(1);

  await page.getByTestId("palette-fill-missing").click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 2");

  await other.getByTestId("palette-evaluate").click();
  await other.getByRole("button", { name: "Save" }).click();
  const banner = other.getByRole("alert", { name: "Save conflict" });
  await expect(banner).toContainText("Version 2 was saved in another tab");
  expect((await (await request.get(`/api/v1/pipelines/${id}`)).json()).version).toBe(2);

  await banner.getByRole("button", { name: "Save mine as version 3" }).click();
  await expect(other.getByRole("status")).toHaveText("Saved version 3");
  const latest = await (await request.get(`/api/v1/pipelines/${id}`)).json();
  expect(latest.nodes.map((n: { type: string }) => n.type).sort()).toEqual(["csv-dataset", "evaluate"]);
});

test("unsaved edits survive a reload: the next visit offers them back", async ({ page, request }) => {
  const demoId = await demoPipelineId(request);
  const demo = await (await request.get(`/api/v1/pipelines/${demoId}`)).json();
  const created = await request.post("/api/v1/pipelines", {
    data: { name: "Drafts", nodes: [{ id: "only", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } }], edges: [] },
  });
  const { id } = await created.json();
  await page.goto(`/pipelines/${id}`);
  await page.getByTestId("palette-scale").click();
  await page.getByLabel("Pipeline name").fill("Drafts, edited");
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  // A link inside the app asks before leaving with unsaved edits: this user stays, then leaves.
  const asked: string[] = [];
  let leave = false;
  page.on("dialog", (d) => {
    asked.push(`${d.type()}: ${d.message()}`);
    void (d.type() === "beforeunload" || leave ? d.accept() : d.dismiss());
  });
  await page.getByRole("link", { name: "Runs", exact: true }).first().click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toBe("confirm: Leave with unsaved edits? They stay in this browser as a draft that this pipeline offers back next time.");
  await expect(page).toHaveURL(new RegExp(`/pipelines/${id}$`));
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  leave = true;
  await page.getByRole("link", { name: "Runs", exact: true }).first().click();
  await expect(page).toHaveURL(/\/runs$/);
  expect(asked).toHaveLength(2);
  // Reloading asks too (the browser's own prompt), and the next visit offers the edits back.
  await page.goto(`/pipelines/${id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(1);
  const banner = page.getByRole("alert", { name: "Unsaved draft" });
  await expect(banner).toContainText("started from version 1");
  await banner.getByRole("button", { name: "Restore them" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await expect(page.getByLabel("Pipeline name")).toHaveValue("Drafts, edited");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved version 2");
  await page.reload();
  await expect(page.locator(".react-flow__node")).toHaveCount(2);
  await expect(page.getByRole("alert", { name: "Unsaved draft" })).toHaveCount(0);
});

test("after a run, each node shows what it produced, and the inspector lists its columns", async ({ page, request }) => {
  const demo = await (await request.get(`/api/v1/pipelines/${await demoPipelineId(request)}`)).json();
  const created = await request.post("/api/v1/pipelines", {
    data: {
      name: "Shapes",
      nodes: [
        { id: "in", type: "csv-dataset", config: { datasetId: demo.nodes[0].config.datasetId }, position: { x: 0, y: 0 } },
        { id: "fill", type: "fill-missing", config: { strategy: "median" }, position: { x: 260, y: 0 } },
        { id: "split", type: "train-test-split", config: { testFraction: 0.25 }, position: { x: 520, y: 0 } },
      ],
      edges: [
        { source: "in", sourceHandle: "dataset", target: "fill", targetHandle: "dataset" },
        { source: "fill", sourceHandle: "dataset", target: "split", targetHandle: "dataset" },
      ],
    },
  });
  const { id } = await created.json();
  const { runId } = await (await request.post(`/api/v1/pipelines/${id}/runs`)).json();
  expect((await waitForRun(request, runId)).status).toBe("succeeded");

  await page.goto(`/pipelines/${id}`);
  await expect(page.getByTestId("node-fill")).toContainText("last run: 600 rows · 5 columns");
  await expect(page.getByTestId("node-split")).toContainText("last run: train 450 · test 150");
  await selectNode(page, "split");
  const output = page.getByRole("region", { name: "Last run output" });
  await expect(output).toContainText("train: 450 rows");
  await expect(output).toContainText("target");

  // The data tab: the node's input as it read it and its outputs, sampled, with statistics.
  await selectNode(page, "fill");
  await page.getByRole("tab", { name: "Data" }).click();
  const data = page.getByTestId("data-tab");
  await expect(data.getByTestId("data-input-dataset")).toContainText("600 rows × 5 columns");
  await expect(data.getByTestId("data-output")).toContainText("600 rows × 5 columns");
  // Fill missing (median) leaves no gaps: its output counts 0 missing in every column, its input does not.
  const missing = async (section: string) =>
    data
      .getByTestId(section)
      .getByTestId("schema-dataset")
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => Number((r.children[2]?.textContent ?? "").replace(/,/g, ""))));
  await expect.poll(() => missing("data-output")).toEqual([0, 0, 0, 0, 0]);
  expect((await missing("data-input-dataset")).some((n) => n > 0)).toBe(true);
  await expect(data.getByTestId("data-output").getByTestId("rows-dataset").locator("tbody tr").first()).toBeVisible();
  await page.getByTestId("inspector").screenshot({ path: "test-results/data-tab.png" });
  await page.getByRole("tab", { name: "Settings" }).click();
  await expect(page.getByTestId("data-tab")).toHaveCount(0);
});
