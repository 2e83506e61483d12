/** The monitoring page: live traffic counted per minute, drift per feature against training, histograms. */
import { expect, test } from "@playwright/test";
import { demoCsv } from "~/lib/templates/demo";
import { ensureDemoEndpoint, sendFeedback } from "./helpers";

test("traffic to a monitored endpoint shows up on its monitoring page with drift per feature", async ({ page, request }) => {
  await ensureDemoEndpoint(request);
  // Drift is judged from 1,000 rows (the monitor's default): two requests of 600.
  const [header, ...lines] = demoCsv(1200, 11).trim().split("\n");
  const names = header!.split(",").filter((n) => n !== "target");
  const instances = lines.map((l) => Object.fromEntries(l.split(",").slice(0, names.length).map((v, i) => [names[i], v === "" ? null : Number(v)])));
  // Other specs may have called the endpoint too: count from what the monitoring API says now.
  const liveRows = async () => {
    // The version the endpoint serves now (other specs deploy and roll back the demo endpoint).
    const m = (await (await request.get("/api/v1/endpoints/demo-model/monitoring")).json()) as { currentVersionId: string; series: { role: string; modelVersionId: string; totals: { rows: number } }[] };
    return m.series.filter((x) => x.role === "live" && x.modelVersionId === m.currentVersionId).reduce((n, x) => n + x.totals.rows, 0);
  };
  const before = await liveRows();
  const requestIds: string[] = [];
  for (const part of [instances.slice(0, 600), instances.slice(600)]) {
    const res = await request.post("/api/v1/endpoints/demo-model/predict", { data: { instances: part } });
    expect(res.status()).toBe(200);
    requestIds.push(((await res.json()) as { requestId: string }).requestId);
  }
  // Labels for the first 100 rows, as a caller sends them back (with a serving key).
  const key = ((await (await request.post("/api/v1/keys", { data: { name: "monitoring-spec" } })).json()) as { key: string }).key;
  const targets = lines.map((l) => Number(l.split(",").at(-1)));
  expect(await sendFeedback(request, "demo-model", key, Array.from({ length: 100 }, (_, i) => ({ requestId: requestIds[0], index: i, label: targets[i] })))).toBeLessThan(300);
  // Serving processes add their counts every 5 seconds.
  // (at least: a request of an earlier spec may be flushed in between)
  await expect.poll(liveRows, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 1200);

  await page.goto("/endpoints/demo-model");
  await page.getByRole("link", { name: /Monitoring/ }).click();
  await expect(page).toHaveURL(/\/endpoints\/demo-model\/monitoring$/);
  await expect(page.getByTestId("monitoring-variants")).toContainText("live");
  // Accuracy from the feedback, with its interval (the prediction log is written a moment later).
  await expect
    .poll(async () => {
      const m = (await (await request.get("/api/v1/endpoints/demo-model/monitoring")).json()) as { accuracy: { labelled: number; accuracy: number; low: number; high: number }[] };
      return m.accuracy.reduce((n, a) => n + a.labelled, 0) >= 100 && m.accuracy.every((a) => a.low <= a.accuracy && a.accuracy <= a.high && a.accuracy > 0.5);
    }, { timeout: 20_000 })
    .toBe(true);
  await page.reload();
  await expect(page.getByTestId("accuracy-chart")).toBeVisible();
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
