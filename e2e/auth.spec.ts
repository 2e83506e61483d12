/** Sign-in, invitations, roles, sign-out, tokens and sign-in rate limits, in Chromium against the production server. */
import { expect, test, type Browser } from "@playwright/test";
import { E2E_METRICS_TOKEN, E2E_SIGN_IN_LIMIT } from "../playwright.config";
import { adminPassword, adminToken, bearer, trpc } from "./helpers";

const anonymous = { cookies: [], origins: [] };
const newAnonymousPage = async (browser: Browser) => (await browser.newContext({ storageState: anonymous, viewport: { width: 1500, height: 900 } })).newPage();

test("an anonymous visitor is sent to sign in and brought back; the API answers 401", async ({ browser, request }) => {
  const page = await newAnonymousPage(browser);
  await page.goto("/pipelines");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fpipelines$/);
  // Where the first password lives is shown only until someone has signed in (global set-up did).
  await expect(page.getByText("admin-password")).toHaveCount(0);
  await expect(page.getByText("New install")).toHaveCount(0);
  await page.getByLabel("Email").fill("admin@millrace.local");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Wrong email or password.");
  await page.getByLabel("Password").fill(adminPassword());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/pipelines$/);
  await expect(page.getByTestId("account-email")).toHaveText("admin@millrace.local");

  const api = await request.get("/api/v1/pipelines", { headers: { cookie: "" } });
  expect(api.status()).toBe(401);
  expect(api.headers()["www-authenticate"]).toBe('Bearer realm="millrace"');
  // The refused attempt is in the audit log, with the email tried (never the password).
  const audit = await trpc(request, "workspace.audit", { action: "auth.sign-in-failed" }, { query: true, headers: bearer(adminToken()) });
  expect(audit.data.some((e: { target: string }) => e.target === "admin@millrace.local")).toBe(true);
  expect(audit.text).not.toContain("not the password");
  await page.context().close();
});

test("invite, sign up, a viewer cannot edit or run, an owner makes them editor, sign out ends the session", async ({ page, browser }) => {
  const email = `viewer-${Date.now()}@example.com`;
  await page.goto("/settings");
  await page.getByLabel("Email to invite").fill(email);
  await page.getByLabel("Role to invite as").selectOption("viewer");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = (await page.getByTestId("shown-once").textContent())!;
  expect(link).toMatch(/\/invite\/inv_[A-Za-z0-9_-]{20,}$/);

  const viewer = await newAnonymousPage(browser);
  await viewer.goto(new URL(link).pathname);
  await expect(viewer.getByText(`${email} is invited as viewer.`)).toBeVisible();
  await viewer.getByLabel("Your name").fill("Vera Viewer");
  await viewer.getByLabel(/Choose a password/).fill("viewer-password-1");
  await viewer.getByRole("button", { name: "Create account and join" }).click();
  await expect(viewer).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  const pipelineId = viewer.url().split("/").pop()!;
  await expect(viewer.getByText("read-only: you are a viewer of this workspace")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Run" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Save" })).toHaveCount(0);
  // The server refuses as well, whatever the page shows.
  const refused = await trpc(viewer.request, "run.start", { pipelineId });
  expect(refused.status).toBe(403);
  expect(refused.error).toBe("as a viewer of this workspace you cannot start or cancel runs");
  await viewer.goto("/settings/audit");
  await expect(viewer.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  // The owner makes them an editor; their next page load has Run.
  await page.goto("/settings");
  await page.getByLabel(`Role of ${email}`).selectOption("editor");
  await expect(async () => {
    await page.reload();
    await expect(page.getByLabel(`Role of ${email}`)).toHaveValue("editor", { timeout: 1000 });
  }).toPass();
  await viewer.goto(`/pipelines/${pipelineId}`);
  await expect(viewer.getByRole("button", { name: "Run" })).toBeVisible();

  const cookies = await viewer.context().cookies();
  await viewer.getByRole("button", { name: "Sign out" }).click();
  await expect(viewer).toHaveURL(/\/sign-in$/);
  await viewer.goto("/pipelines");
  await expect(viewer).toHaveURL(/\/sign-in\?next=/);
  // The old session cookie is dead on the server, not just dropped by the browser.
  const replay = await viewer.request.get("/api/v1/me", { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") } });
  expect(replay.status()).toBe(401);

  await page.goto("/settings/audit");
  await page.getByLabel("Event kind").selectOption("member.");
  await expect(page.getByTestId("audit-row").filter({ hasText: "member.role" }).first()).toBeVisible();
  await viewer.context().close();
});

test("sign-in attempts are rate-limited per client address", async ({ request, baseURL }) => {
  const attempt = (ip: string) =>
    request.post("/api/auth/sign-in/email", {
      headers: { "x-forwarded-for": ip, cookie: "", origin: baseURL! },
      data: { email: "admin@millrace.local", password: "wrong-password" },
    });
  for (let i = 0; i < E2E_SIGN_IN_LIMIT; i++) expect((await attempt("203.0.113.77")).status()).toBe(401);
  const limited = await attempt("203.0.113.77");
  expect(limited.status()).toBe(429);
  // Another address is not affected.
  expect((await attempt("203.0.113.78")).status()).toBe(401);
});

test("a token is shown once, does what its scopes allow and nothing more, and is refused the moment it is revoked", async ({ page, request }) => {
  await page.goto("/account");
  await page.getByLabel("Token name").fill("e2e-read");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("shown-once").textContent())!;
  expect(token).toMatch(/^mr_[A-Za-z0-9_-]{30,}$/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(token)).toHaveCount(0);
  // The list shows only the token's prefix ("mr_" and 6 more characters).
  await expect(page.getByTestId("token-e2e-read")).toContainText(`${token.slice(0, 9)}…`);

  const headers = { ...bearer(token), cookie: "" };
  expect((await request.get("/api/v1/pipelines", { headers })).status()).toBe(200);
  const write = await request.post("/api/v1/pipelines", { headers, data: { name: "x", nodes: [], edges: [] } });
  expect(write.status()).toBe(403);
  expect((await write.json()).error).toBe("this token's scopes (read) do not allow it to change pipelines and datasets");
  // Its last use is recorded ("–" until then).
  await page.reload();
  await expect(page.getByTestId("token-e2e-read")).not.toContainText("–");

  await page.getByTestId("token-e2e-read").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("token-e2e-read")).toContainText("revoked");
  const after = await request.get("/api/v1/pipelines", { headers });
  expect(after.status()).toBe(401);
  expect((await after.json()).error).toBe("the bearer token is not valid (unknown, revoked or expired)");
});

test("/metrics answers only with METRICS_TOKEN when one is set", async ({ request }) => {
  expect((await request.get("/metrics", { headers: { cookie: "" } })).status()).toBe(401);
  const ok = await request.get("/metrics", { headers: bearer(E2E_METRICS_TOKEN) });
  expect(ok.status()).toBe(200);
  expect(await ok.text()).toContain("# TYPE");
});
