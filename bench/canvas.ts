/**
 * Canvas benchmark: pipelines of growing size (n nodes, 1.2 × n edges) opened in Debian's Chromium (1440×900) against a
 * real `npm start` (its own ports and data dir). Per size: open (navigation to every node drawn),
 * frames per second while panning and while dragging a node (requestAnimationFrame counted over
 * two seconds of pointer moves), a keystroke in the inspector and a compile after an edit (both
 * to the frame that shows them), and save (click to the frame that says "Saved version 2").
 * `npm run bench:canvas` — BENCH_CANVAS_NODES=100,500,1000 (default). Loopback only.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { freshDataDir, launch, printTable } from "./launcher";

const sizes = (process.env.BENCH_CANVAS_NODES ?? "100,500,1000").split(",").map(Number);
const port = 3230;

/**
 * n nodes and 1.2 × n edges, in rows of 20: an ingest, a chain of derived columns, and a fifth of
 * the nodes are forests taking two inputs from a node of the chain (train set and refit rows); the last node
 * scores the chain's end with the last forest. Every node connected.
 */
function pipeline(n: number, datasetId: string) {
  const forests = Math.floor(n / 5);
  const chain = n - forests - 2; // derived columns after the ingest, before the scorer
  const at = (i: number) => ({ x: (i % 20) * 260, y: Math.floor(i / 20) * 150 });
  const nodes: { id: string; type: string; config: Record<string, unknown>; position: { x: number; y: number } }[] = [{ id: "n0", type: "csv-dataset", config: { datasetId }, position: at(0) }];
  const edges: { source: string; sourceHandle: string; target: string; targetHandle: string }[] = [];
  for (let i = 1; i <= chain; i++) {
    nodes.push({ id: `n${i}`, type: "derive-column", config: { name: `f${i}`, expression: "feature_1 * 2" }, position: at(i) });
    edges.push({ source: `n${i - 1}`, sourceHandle: "dataset", target: `n${i}`, targetHandle: "dataset" });
  }
  for (let k = 0; k < forests; k++) {
    const id = `n${chain + 1 + k}`;
    const from = 1 + Math.floor((k * (chain - 1)) / forests);
    nodes.push({ id, type: "random-forest", config: { task: "classification", target: "target", nEstimators: 10 }, position: at(chain + 1 + k) });
    edges.push({ source: `n${from}`, sourceHandle: "dataset", target: id, targetHandle: "train" });
    edges.push({ source: `n${from}`, sourceHandle: "dataset", target: id, targetHandle: "refit" });
  }
  const scorer = `n${n - 1}`;
  nodes.push({ id: scorer, type: "batch-score", config: {}, position: at(n - 1) });
  edges.push({ source: `n${chain + forests}`, sourceHandle: "model", target: scorer, targetHandle: "model" });
  edges.push({ source: `n${chain}`, sourceHandle: "dataset", target: scorer, targetHandle: "dataset" });
  return { name: `Canvas ${n}`, nodes, edges };
}

/** Frames drawn while `act` runs for about two seconds. */
async function fps(page: Page, act: () => Promise<void>) {
  // As text: the bundler's helpers (esbuild's __name) do not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = 0;
    window.__run = true;
    const tick = () => {
      window.__frames++;
      if (window.__run) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const t0 = performance.now();
  await act();
  const frames = (await page.evaluate(`(() => { window.__run = false; return window.__frames; })()`)) as number;
  return frames / ((performance.now() - t0) / 1000);
}

async function sweep(page: Page, from: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 0; i < 120; i++) await page.mouse.move(from.x + Math.sin(i / 10) * 150, from.y + Math.cos(i / 10) * 80);
  await page.mouse.up();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Editing a node in the inspector: keystroke is a key press in the new column's name to the
 * frame after it is drawn (the edit, its recompile and the re-render); compile is a key press
 * that breaks the expression to the problem count saying so, and one that mends it to "ready to
 * run". Each measured in the page from the key event, 15 times.
 */
async function editing(page: Page) {
  // The second node, opened from the keyboard (the pan moved it out of view).
  await page.locator('.react-flow__node[data-id="n1"]').focus();
  await page.keyboard.press("Enter");
  const name = page.getByLabel("New column");
  await name.click();
  await name.press("End");
  await page.evaluate(`(() => {
    window.__keys = [];
    document.addEventListener("keydown", () => {
      const t0 = performance.now();
      requestAnimationFrame(() => setTimeout(() => window.__keys.push(performance.now() - t0), 0));
    }, { capture: true });
  })()`);
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("x");
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(200);
  const keys = (await page.evaluate(`window.__keys.splice(0)`)) as number[];
  const expression = page.getByLabel("Expression");
  await expression.click();
  await expression.press("End");
  const compiles: number[] = [];
  for (let i = 0; i < 15; i++) {
    for (const [key, wanted] of [["+", "problem"], ["Backspace", "ready to run"]] as const) {
      // The listener is in place before the key is pressed (installed, then awaited).
      await page.evaluate(`(() => {
        const status = () => document.querySelector('[data-testid="compile-status"]')?.textContent ?? "";
        window.__compiled = new Promise((resolve) => {
          let t0 = 0;
          document.addEventListener("keydown", () => { t0 = performance.now(); }, { capture: true, once: true });
          const check = () => (t0 && status().includes(${JSON.stringify(wanted)}) ? resolve(performance.now() - t0) : requestAnimationFrame(check));
          requestAnimationFrame(check);
          setTimeout(() => resolve(NaN), 10000);
        });
      })()`);
      await page.keyboard.press(key);
      const ms = (await page.evaluate("window.__compiled")) as number;
      if (Number.isNaN(ms)) throw new Error(`the problem count never said "${wanted}" after ${key} (it says "${await page.getByTestId("compile-status").textContent()}")`);
      compiles.push(ms);
    }
  }
  return { keystroke: median(keys), compile: median(compiles) };
}

const dataDir = freshDataDir();
const app = await launch(dataDir, port);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const rows: string[][] = [];
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${app.base}/sign-in`);
  await page.getByLabel("Email").fill("admin@millrace.local");
  await page.getByLabel("Password").fill(fs.readFileSync(path.join(dataDir, "admin-password"), "utf8").trim());
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
  const { datasets } = (await (await fetch(`${app.base}/api/v1/datasets`, { headers: app.auth })).json()) as { datasets: { id: string }[] };
  for (const n of sizes) {
    const res = await fetch(`${app.base}/api/v1/pipelines`, { method: "POST", headers: { ...app.auth, "content-type": "application/json" }, body: JSON.stringify(pipeline(n, datasets[0]!.id)) });
    if (res.status !== 201) {
      rows.push([String(n), "refused", (await res.text()).slice(0, 300), "", "", "", "", ""]);
      continue;
    }
    const { id } = (await res.json()) as { id: string };
    const t0 = performance.now();
    await page.goto(`${app.base}/pipelines/${id}`);
    await page.locator(".react-flow__node").nth(n - 1).waitFor();
    const open = (performance.now() - t0) / 1000;
    const box = (await page.getByTestId("canvas").boundingBox())!;
    // Each the median of three sweeps (a single one varies with what the machine does meanwhile).
    const pans: number[] = [];
    for (let i = 0; i < 3; i++) pans.push(await fps(page, () => sweep(page, { x: box.x + box.width - 120, y: box.y + box.height - 60 })));
    const pan = median(pans);
    const drags: number[] = [];
    for (let i = 0; i < 3; i++) {
      const node = (await page.locator(".react-flow__node").first().boundingBox())!;
      drags.push(await fps(page, () => sweep(page, { x: node.x + 60, y: node.y + 12 })));
    }
    const drag = median(drags);
    const { keystroke, compile } = await editing(page);
    // Timed in the page, from the click to the frame that says so: Playwright's own role queries
    // over 1,000 nodes' elements take a third of a second, which is not the editor's time.
    await page.evaluate(`(() => {
      window.__saved = new Promise((resolve) => {
        let t0 = 0;
        document.addEventListener("click", () => { t0 = performance.now(); }, { capture: true, once: true });
        const check = () => (t0 && document.querySelector('[role="status"]')?.textContent?.includes("Saved version 2") ? resolve(performance.now() - t0) : requestAnimationFrame(check));
        requestAnimationFrame(check);
        setTimeout(() => resolve(NaN), 30000);
      });
    })()`);
    await page.locator("button", { hasText: /^Save$/ }).click();
    const savedMs = (await page.evaluate("window.__saved")) as number;
    if (Number.isNaN(savedMs)) throw new Error("the editor never said Saved version 2");
    const save = savedMs / 1000;
    rows.push([String(n), String(pipeline(n, "").edges.length), open.toFixed(2), drag.toFixed(0), pan.toFixed(0), keystroke.toFixed(1), compile.toFixed(1), save.toFixed(2)]);
    console.log(`${n} nodes done`);
  }
} finally {
  await browser.close();
  await app.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
printTable(["nodes", "edges", "open s", "drag fps", "pan fps", "keystroke ms (median)", "compile ms (median)", "save s"], rows);
