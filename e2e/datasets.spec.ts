/**
 * Real files in, the right model out: a CSV as R users in Europe write it (`;`, Latin-1, `NA`, an
 * ID column, Yes/No, an ISO timestamp) is previewed and saved through the upload wizard, trained
 * on, deployed, and served with the raw values exactly as the file spells them.
 */
import { expect, test } from "@playwright/test";
import { adminToken, bearer, waitForRun } from "./helpers";

/** 240 rows: `member` and `size` decide the label; `id` is unique, `seen` a timestamp, `note` unused text. */
function europeanCsv() {
  const lines = ["id;size;colour;member;seen;note;label"];
  for (let i = 0; i < 240; i++) {
    const size = i % 11 === 0 ? "NA" : ((i * 37) % 100) / 10;
    const member = i % 3 === 0 ? "Yes" : "No";
    const colour = ["rouge", "vert", "bleu clair", "crème"][i % 4];
    const big = size !== "NA" && Number(size) > 5;
    lines.push(`C${1000 + i};${typeof size === "number" ? String(size).replace(".", ",") : size};${colour};${member};2024-01-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z;n${i};${member === "Yes" || big ? "high" : "low"}`);
  }
  // Latin-1 bytes, as Excel on Windows saves them.
  return Buffer.from(lines.join("\r\n") + "\r\n", "latin1");
}

test("the upload wizard reads a European CSV, shows kinds, roles and warnings, and saves it", async ({ page }) => {
  await page.goto("/datasets");
  await page.getByLabel("Data file").setInputFiles({ name: "clients.csv", mimeType: "text/csv", buffer: europeanCsv() });
  await page.getByRole("button", { name: /preview/i }).click();
  const preview = page.getByTestId("upload-preview");
  await expect(preview).toBeVisible();
  await expect(page.getByLabel("Delimiter")).toHaveValue(";");
  await expect(page.getByLabel("Encoding")).toHaveValue("windows-1252");
  await expect(page.getByLabel("Decimal separator")).toHaveValue(",");
  await expect(page.getByLabel("Kind of size")).toHaveValue("float");
  await expect(page.getByLabel("Kind of member")).toHaveValue("boolean");
  await expect(page.getByLabel("Kind of seen")).toHaveValue("datetime");
  await expect(page.getByLabel("Role of id")).toHaveValue("id");
  await expect(page.getByLabel("Warnings")).toContainText("'id' has a different value in every row");
  await expect(page.getByTestId("column-colour")).toContainText("crème");
  await page.getByLabel("Role of label").selectOption("target");
  await page.getByLabel("Dataset name").fill("European clients");
  await page.screenshot({ path: "test-results/upload-wizard.png", fullPage: true });
  await page.getByRole("button", { name: /^save/i }).click();
  await expect(page.getByRole("status")).toContainText("Saved European clients: 240 rows");
  await expect(page.getByRole("cell", { name: "European clients" })).toBeVisible();
});

test("a model trained on that file serves raw rows as the file spells them", async ({ playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(adminToken()) });
  const staged = await api.post("/api/v1/uploads?filename=clients.csv", { headers: { "content-type": "application/octet-stream" }, data: europeanCsv() });
  expect(staged.status()).toBe(201);
  const { upload } = await staged.json();
  const saved = await api.post("/api/v1/datasets", { data: { upload: upload.id, name: "clients-api", columns: { label: { role: "target" } } } });
  expect(saved.status()).toBe(201);
  const ds = await saved.json();
  const member = ds.columns.find((c: { name: string }) => c.name === "member");
  expect(member).toMatchObject({ kind: "boolean", tokens: { true: expect.arrayContaining(["Yes"]), false: expect.arrayContaining(["No"]) } });

  const doc = {
    name: "Clients",
    nodes: [
      { id: "ingest", type: "csv-dataset", position: { x: 0, y: 0 }, config: { datasetId: ds.id } },
      { id: "dates", type: "date-parts", position: { x: 100, y: 0 }, config: { column: "seen", parts: ["day", "hour"] } },
      { id: "split", type: "train-test-split", position: { x: 200, y: 0 }, config: {} },
      { id: "train", type: "random-forest", position: { x: 400, y: 0 }, config: { nEstimators: 30 } },
      { id: "evaluate", type: "evaluate", position: { x: 600, y: 0 }, config: {} },
      { id: "deploy", type: "deploy-endpoint", position: { x: 800, y: 0 }, config: { slug: "clients" } },
    ],
    edges: [
      { source: "ingest", sourceHandle: "dataset", target: "dates", targetHandle: "dataset" },
      { source: "dates", sourceHandle: "dataset", target: "split", targetHandle: "dataset" },
      { source: "split", sourceHandle: "train", target: "train", targetHandle: "train" },
      { source: "train", sourceHandle: "model", target: "evaluate", targetHandle: "model" },
      { source: "split", sourceHandle: "test", target: "evaluate", targetHandle: "test" },
      { source: "train", sourceHandle: "final", target: "deploy", targetHandle: "model" },
    ],
  };
  const created = await api.post("/api/v1/pipelines", { data: doc });
  expect(created.status(), await created.text()).toBe(201);
  const { runId } = await (await api.post(`/api/v1/pipelines/${(await created.json()).id}/runs`)).json();
  const run = await waitForRun(api, runId);
  expect(run.status, JSON.stringify(run)).toBe("succeeded");
  expect((run.metrics as Record<string, number>).accuracy).toBeGreaterThan(0.9);

  // The row as the file has it: "Yes", the timestamp as written, the ID (not a feature) and a field the model never saw.
  const row = { id: "C9999", size: 7.5, colour: "crème", member: "Yes", seen: "2024-01-05T10:00:00Z", note: "n1", extra: 1 };
  // A new endpoint is private, and an API token is not a serving key.
  const refused = await api.post("/api/v1/endpoints/clients/predict", { data: row });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error).toBe("endpoint 'clients' takes serving keys (mrk_…), not API tokens: create one in Settings → Serving keys");
  const made = await api.post("/api/v1/keys", { data: { name: "clients app", endpoints: ["clients"] } });
  expect(made.status()).toBe(201);
  const caller = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(((await made.json()) as { key: string }).key) });
  await expect.poll(async () => (await caller.post("/api/v1/endpoints/clients/predict", { data: row })).status(), { timeout: 5000 }).toBe(200);
  const res = await caller.post("/api/v1/endpoints/clients/predict", { data: row });
  expect(res.status(), await res.text()).toBe(200);
  expect((await res.json()).predictions).toEqual(["high"]);
  expect(res.headers()["millrace-ignored-fields"]).toBe("extra");
  // A missing value where the file had NA, and the unused columns left out.
  const sparse = await caller.post("/api/v1/endpoints/clients/predict", { data: { size: null, colour: "vert", member: "No", seen: "2024-01-06T10:00:00Z" } });
  expect(sparse.status(), await sparse.text()).toBe(200);
  // "NA" as the file wrote it is that same missing value.
  const asWritten = await caller.post("/api/v1/endpoints/clients/predict", { data: { size: "NA", colour: "vert", member: "No", seen: "2024-01-06T10:00:00Z" } });
  expect([asWritten.status(), (await asWritten.json()).predictions]).toEqual([200, (await sparse.json()).predictions]);
  const wrong = await caller.post("/api/v1/endpoints/clients/predict", { data: { size: 1, colour: "vert", member: "maybe", seen: "2024-01-06T10:00:00Z" } });
  expect(wrong.status()).toBe(400);
  expect((await wrong.json()).error).toMatch(/member must be true or false \(or "Yes".*"No".*\), got "maybe"/);
  // A timestamp the model would not read is refused, not taken for a missing value.
  const badDate = await caller.post("/api/v1/endpoints/clients/predict", { data: { size: 1, colour: "vert", member: "No", seen: "05/01/2024" } });
  expect(badDate.status()).toBe(400);
  expect((await badDate.json()).error).toContain('seen must be a datetime written like 2024-12-31T23:59:00Z, got "05/01/2024"');
  const spec = await (await caller.get("/api/v1/endpoints/clients/openapi.json")).json();
  const instance = spec.components.schemas.Instance;
  expect(instance.required.sort()).toEqual(["colour", "member", "seen", "size"]);
  // A categorical column lists what training saw, as examples (a value it never saw is still scored).
  expect(instance.properties.colour.examples).toEqual(expect.arrayContaining(["vert"]));
  expect(instance.properties.colour.description).toMatch(/^categorical; seen in training: .*vert/);
  // The forest routes a missing value itself, so null is accepted too, and the file's spellings of one.
  expect(instance.properties.member.anyOf).toEqual([{ type: "boolean" }, { enum: [...member.tokens.true, ...member.tokens.false] }, { type: "null" }, { enum: expect.arrayContaining(["", "NA", "N/A"]) }]);
});
