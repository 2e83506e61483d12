/** The monitoring page: live traffic counted per minute, drift per feature against training, histograms. */
import { expect, test } from "@playwright/test";
import { demoCsv } from "~/lib/templates/demo";
import { ensureDemoEndpoint } from "./helpers";

test("traffic to a monitored endpoint shows up on its monitoring page with drift per feature", async ({ page, request }) => {
  await ensureDemoEndpoint(request);
  // Drift is judged from 1,000 rows (the monitor's default): two requests of 600.
  const [header, ...lines] = demoCsv(1200, 11).trim().split("\n");
  const names = header!.split(",").filter((n) => n !== "target");
  const instances = lines.map((l) => Object.fromEntries(l.split(",").slice(0, names.length).map((v, i) => [names[i], v === "" ? null : Number(v)])));
  // Other specs may have called the endpoint too: count from what the monitoring API says now.
  const liveRows = async () => {
    const m = (await (await request.get("/api/v1/endpoints/demo-model/monitoring")).json()) as { series: { role: string; modelVersionId: string; totals: { rows: number } }[] };
    return m.series.filter((x) => x.role === "live").reduce((n, x) => n + x.totals.rows, 0);
  };
  const before = await liveRows();
  for (const part of [instances.slice(0, 600), instances.slice(600)]) expect((await request.post("/api/v1/endpoints/demo-model/predict", { data: { instances: part } })).status()).toBe(200);
  // Serving processes add their counts every 5 seconds.
  await expect.poll(liveRows, { timeout: 30_000 }).toBe(before + 1200);

  await page.goto("/endpoints/demo-model");
  await page.getByRole("link", { name: /Monitoring/ }).click();
  await expect(page).toHaveURL(/\/endpoints\/demo-model\/monitoring$/);
  await expect(page.getByTestId("monitoring-variants")).toContainText("live");
  const drift = page.getByTestId("drift-table");
  await expect(drift).toContainText("feature_1");
  await expect(drift).toContainText("predictions");
  // Traffic drawn like the training data: no feature is in alarm.
  await expect(drift.locator("tr[data-level=alarm]")).toHaveCount(0);
  await drift.getByText("feature_4").click();
  await expect(page.getByTestId("drift-histogram")).toBeVisible();
  await expect(page.getByTestId("drift-histogram").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await page.screenshot({ path: "test-results/monitoring.png", fullPage: true });
});
