/**
 * A secret used by a node never shows: not in any API response, not on the run page or the
 * settings pages, not in the worker's or web server's log — even when the node fails on it.
 */
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { APP_LOG } from "../playwright.config";
import { adminToken, bearer, trpc, waitForRun } from "./helpers";

const PASSWORD = "Canary-pw-7f3a9c";
// Port 1 on this machine: nothing listens, so the node fails while holding the secret.
const SECRET = `postgres://canary_user:${PASSWORD}@127.0.0.1:1/canary_db`;

test("a secret used by a failing node appears in no response, page or log line", async ({ page, playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: bearer(adminToken()) });
  const seen: string[] = [];
  const keep = <T extends { text: string }>(r: T) => (seen.push(r.text), r);

  expect(keep(await trpc(api, "workspace.setSecret", { name: "CANARY_DB", value: SECRET })).status).toBe(200);
  const secrets = keep(await trpc(api, "workspace.secrets", undefined, { query: true }));
  expect(secrets.data.map((s: { name: string }) => s.name)).toContain("CANARY_DB");

  const described = keep(await trpc(api, "dataset.describeQuery", { connectionSecret: "CANARY_DB", query: "select 1 as a" }));
  expect(described.status).toBe(400);
  expect(described.error).toBe("cannot reach the database (ECONNREFUSED)");

  const created = await api.post("/api/v1/pipelines", {
    data: {
      name: "Canary",
      nodes: [{ id: "source", type: "postgres-query", position: { x: 0, y: 0 }, config: { connectionSecret: "CANARY_DB", query: "select 1 as a", columns: [{ name: "a", type: "number", nullable: true }] } }],
      edges: [],
    },
  });
  seen.push(await created.text());
  expect(created.status()).toBe(201);
  const { id } = JSON.parse(seen.at(-1)!);
  const started = await api.post(`/api/v1/pipelines/${id}/runs`);
  seen.push(await started.text());
  const { runId } = JSON.parse(seen.at(-1)!);
  const run = await waitForRun(api, runId);
  seen.push(JSON.stringify(run));
  expect(run.status).toBe("failed");
  expect(JSON.stringify(run)).toContain("cannot reach the database (ECONNREFUSED)");
  keep(await trpc(api, "run.byId", { id: runId }, { query: true }));
  keep(await trpc(api, "workspace.audit", undefined, { query: true }));
  for (const path of [`/api/v1/pipelines/${id}`, "/api/v1/me", "/api/v1/datasets", "/api/v1/pipelines"]) seen.push(await (await api.get(path)).text());

  for (const path of [`/runs/${runId}`, "/settings/secrets", "/settings/audit", `/pipelines/${id}`]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    seen.push(await page.content());
  }

  const log = fs.readFileSync(APP_LOG, "utf8");
  // The log did record the failure: the secret was cut out of it, not the failure left out.
  expect(log).toContain("cannot reach the database (ECONNREFUSED)");
  for (const text of [...seen, log]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(SECRET);
  }
  // The secret is stored, and a node could read it: it is the showing that is refused.
  expect(seen.some((t) => t.includes("CANARY_DB"))).toBe(true);
  await api.dispose();
});
