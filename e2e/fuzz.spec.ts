/**
 * An OpenAPI-driven fuzzer (Schemathesis) against the running app: the platform API and the
 * demo endpoint's own document. Every check: no 5xx, only documented statuses and content types,
 * responses that match their schemas, 405 with Allow for undeclared methods; and for the
 * endpoint, every schema-valid input accepted.
 */
import { expect } from "@playwright/test";
import { fuzz } from "~/server/testing/schemathesis";
import { AUTH_STATE, E2E_METRICS_TOKEN } from "../playwright.config";
import { adminToken, apiTest as test, ensureDemoEndpoint, trpc } from "./helpers";

test.setTimeout(600_000);

test("the platform API survives property-based fuzzing from its OpenAPI document", async ({ baseURL, playwright }) => {
  // The fuzzer changes whatever it finds (it learns slugs from responses and can make an endpoint
  // private or deploy over it), so it works in a workspace of its own, not in the other specs'.
  const session = await playwright.request.newContext({ baseURL, storageState: AUTH_STATE, extraHTTPHeaders: {} });
  const made = await trpc(session, "workspace.create", { name: "Fuzzing" });
  expect(made.status, made.text).toBe(200);
  const workspace = (made.data as { id: string }).id;
  // The platform document describes shapes, not meaning: a CSV or a pipeline can fit the schema
  // and still be refused (400, as documented), so "schema-valid means accepted" does not apply.
  const result = fuzz(`${baseURL}/api/v1/openapi.json`, {
    examples: 40,
    exclude: ["positive_data_acceptance"],
    bearer: { bearerToken: adminToken(), metricsToken: E2E_METRICS_TOKEN },
    headers: { "X-Millrace-Workspace": workspace },
  });
  console.log(`platform API: ${result.generated} fuzz requests, ${result.serverErrors} server errors`);
  expect(result.generated).toBeGreaterThan(300);
  expect(result.serverErrors).toBe(0);
  expect(result.ok, result.output.slice(Math.max(0, result.output.indexOf("FAILURES")), result.output.indexOf("FAILURES") + 12_000)).toBe(true);
});

test("a deployed endpoint takes every input its OpenAPI document allows, and refuses the rest with 4xx", async ({ baseURL, request }) => {
  await ensureDemoEndpoint(request);
  const created = await request.post("/api/v1/keys", { data: { name: "fuzz" } });
  expect(created.status()).toBe(201);
  const bearer = { servingKey: ((await created.json()) as { key: string }).key };
  const failures = (r: { output: string }) => r.output.slice(Math.max(0, r.output.indexOf("FAILURES")), r.output.indexOf("FAILURES") + 12_000);
  // Millrace's own format: its schema is exact, so every schema-valid body must be accepted.
  const own = fuzz(`${baseURL}/api/v1/endpoints/demo-model/openapi.json`, { examples: 60, bearer, includePath: "/predict$" });
  console.log(`demo endpoint (predict): ${own.generated} fuzz requests, ${own.serverErrors} server errors`);
  expect(own.generated).toBeGreaterThan(50);
  expect(own.serverErrors).toBe(0);
  expect(own.ok, failures(own)).toBe(true);
  // MLflow's and the Open Inference Protocol's shapes, and feedback: their schemas cannot say
  // everything (a tensor's shape must match its data), so a schema-valid body may be a 400 — never a 5xx.
  const rest = fuzz(`${baseURL}/api/v1/endpoints/demo-model/openapi.json`, { examples: 40, bearer, excludePath: "/predict$", exclude: ["positive_data_acceptance"] });
  console.log(`demo endpoint (MLflow, OIP, feedback): ${rest.generated} fuzz requests, ${rest.serverErrors} server errors`);
  expect(rest.generated).toBeGreaterThan(50);
  expect(rest.serverErrors).toBe(0);
  expect(rest.ok, failures(rest)).toBe(true);
});
