/**
 * The shipped Prometheus rules and Grafana dashboard against a running Millrace: a real Prometheus
 * (Debian's package) scrapes /metrics with the shipped rules loaded; every dashboard query and
 * every rule expression must parse and return data, and every rule must evaluate without error.
 * Alerting rules are checked on their signal (the expression before the threshold), which
 * returns data whether or not the alert fires; their whole expression must still parse.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import YAML from "yaml";
import { demoCsv } from "~/lib/templates/demo";
import { freePorts } from "~/server/testing/services";
import { E2E_METRICS_TOKEN, E2E_PORT } from "../playwright.config";
import { ensureDemoEndpoint, sendFeedback } from "./helpers";

const OPS = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "server", "monitoring", "ops");

let prom: ChildProcess | undefined;
test.afterAll(() => {
  prom?.kill("SIGKILL");
});

test("Prometheus scrapes Millrace; every dashboard query and rule returns data", async ({ request }) => {
  test.setTimeout(180_000);
  // Traffic, a refused request and feedback, so every series the dashboard reads exists.
  await ensureDemoEndpoint(request);
  const [header, ...lines] = demoCsv(1200, 23).trim().split("\n");
  const names = header!.split(",").filter((n) => n !== "target");
  const rows = lines.map((l) => Object.fromEntries(l.split(",").slice(0, names.length).map((v, i) => [names[i], v === "" ? null : Number(v)])));
  const targets = lines.map((l) => Number(l.split(",").at(-1)));
  // Feedback needs a serving key.
  const key = ((await (await request.post("/api/v1/keys", { data: { name: "prometheus-spec" } })).json()) as { key: string }).key;
  for (const from of [0, 600]) {
    const res = await request.post("/api/v1/endpoints/demo-model/predict", { data: { instances: rows.slice(from, from + 600) } });
    expect(res.status()).toBe(200);
    const { requestId } = (await res.json()) as { requestId: string };
    expect(await sendFeedback(request, "demo-model", key, Array.from({ length: 60 }, (_, i) => ({ requestId, index: i, label: targets[from + i] })))).toBeLessThan(300);
  }
  expect((await request.post("/api/v1/endpoints/demo-model/predict", { data: { feature_1: "not a number" } })).status()).toBe(400);
  // The web process judges drift every 2 s here: wait for the gauges.
  await expect
    .poll(async () => {
      const text = await (await request.get("/metrics", { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } })).text();
      return /^millrace_drift_psi\{/m.test(text) && /^millrace_live_accuracy\{/m.test(text);
    }, { timeout: 60_000 })
    .toBe(true);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-prom-"));
  fs.writeFileSync(path.join(dir, "metrics-token"), E2E_METRICS_TOKEN);
  fs.copyFileSync(path.join(OPS, "rules.yml"), path.join(dir, "rules.yml"));
  const shipped = YAML.parse(fs.readFileSync(path.join(OPS, "prometheus.yml"), "utf8"));
  // The shipped config, faster, aimed at the test's Millrace.
  shipped.global = { scrape_interval: "1s", evaluation_interval: "1s" };
  shipped.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${E2E_PORT}`] }];
  shipped.scrape_configs[1].static_configs = [{ targets: [`127.0.0.1:${E2E_PORT + 2}`] }];
  fs.writeFileSync(path.join(dir, "prometheus.yml"), YAML.stringify(shipped));
  const rulesText = YAML.parse(fs.readFileSync(path.join(dir, "rules.yml"), "utf8")) as { groups: { name: string; interval?: string; rules: { record?: string; alert?: string; expr: string }[] }[] };
  // Recording rules every second too (they say 30s).
  for (const g of rulesText.groups) g.interval = "1s";
  fs.writeFileSync(path.join(dir, "rules.yml"), YAML.stringify(rulesText));

  const [port] = await freePorts(1);
  prom = spawn("prometheus", [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
  const api = `http://127.0.0.1:${port}`;
  const query = async (q: string) => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  };
  await expect.poll(async () => fetch(`${api}/-/ready`).then((r) => r.status, () => 0), { timeout: 30_000 }).toBe(200);
  for (const job of ["millrace", "millrace-workers"])
    await expect.poll(async () => ((await query(`up{job="${job}"}`)).data?.result[0] as { value: [number, string] } | undefined)?.value[1], { timeout: 30_000 }).toBe("1");
  // rate() over [5m] needs two samples; recording rules a few evaluations.
  await new Promise((r) => setTimeout(r, 6000));

  const dashboard = JSON.parse(fs.readFileSync(path.join(OPS, "grafana", "millrace-dashboard.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
  const checks: { what: string; expr: string }[] = [];
  for (const p of dashboard.panels) for (const t of p.targets) checks.push({ what: `panel '${p.title}'`, expr: t.expr.replaceAll("$endpoint", ".+") });
  for (const g of rulesText.groups)
    for (const r of g.rules) {
      if (r.record) checks.push({ what: `rule ${r.record}`, expr: r.expr }, { what: `recorded ${r.record}`, expr: r.record });
      else {
        const signal = r.expr.split(/\s(?:>=|<=|>|<|==|!=)\s/)[0]!;
        checks.push({ what: `alert ${r.alert} (signal)`, expr: signal });
        const whole = await query(r.expr);
        expect(whole.status, `alert ${r.alert}: ${whole.error ?? ""}`).toBe("success");
      }
    }
  const empty: string[] = [];
  for (const c of checks) {
    const res = await query(c.expr);
    expect(res.status, `${c.what}: ${c.expr}: ${res.error ?? ""}`).toBe("success");
    if (!res.data?.result.length) empty.push(`${c.what}: ${c.expr}`);
  }
  expect(empty, "queries that returned no data").toEqual([]);

  // Every rule evaluated without error.
  const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
  const unhealthy = rules.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== "ok");
  expect(unhealthy).toEqual([]);
  expect(rules.data.groups.flatMap((g) => g.rules)).toHaveLength(15);
});
