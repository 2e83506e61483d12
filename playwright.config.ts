import { defineConfig } from "@playwright/test";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
/** Where global set-up leaves the administrator's token, password and signed-in session, and the app's log. */
export const STATE_DIR = "e2e/.state";
/** The worker's and web server's output, for specs that check what is logged. */
export const APP_LOG = `${STATE_DIR}/app.log`;
export const AUTH_STATE = `${STATE_DIR}/admin.json`;
/** Enough for the specs' own sign-ins; the rate-limit spec goes past it from an address of its own. */
export const E2E_SIGN_IN_LIMIT = 8;
export const E2E_METRICS_TOKEN = "e2e-metrics-token-0123456789";

export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  retries: 0,
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    // Browser specs start signed in as the administrator; API specs send its token (e2e/helpers.ts).
    storageState: AUTH_STATE,
    viewport: { width: 1500, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download does not work offline.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
