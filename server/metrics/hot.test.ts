import client from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotHistogram } from "./hot";

/** The exposition of one metric, with its name replaced (to compare two metrics line by line). */
async function text(registry: client.Registry, name: string) {
  const all = await registry.metrics();
  return all
    .split("\n\n")
    .find((block) => block.includes(`# TYPE ${name} `))!
    .replaceAll(name, "m")
    .trim();
}

describe("hot metrics", () => {
  it("expose the same text as prom-client's histogram and counter for the same observations", async () => {
    const registry = new client.Registry();
    const buckets = [0.001, 0.01, 0.1, 1];
    const hot = new HotHistogram({ name: "hot_seconds", help: "h", labelNames: ["endpoint"] as const, buckets, registers: [registry] });
    const ref = new client.Histogram({ name: "ref_seconds", help: "h", labelNames: ["endpoint"] as const, buckets, registers: [registry] });
    const hotCount = new HotCounter({ name: "hot_total", help: "c", labelNames: ["endpoint", "status"] as const, registers: [registry] });
    const refCount = new client.Counter({ name: "ref_total", help: "c", labelNames: ["endpoint", "status"] as const, registers: [registry] });
    const values = [0.0005, 0.001, 0.002, 0.05, 0.5, 1, 3, 0.01];
    const a = hot.labels({ endpoint: "a" });
    for (const v of values) {
      a.observe(v);
      ref.labels({ endpoint: "a" }).observe(v);
      hot.observe({ endpoint: "b" }, v * 2);
      ref.observe({ endpoint: "b" }, v * 2);
    }
    hotCount.labels({ endpoint: "a", status: "200" }).inc();
    hotCount.inc({ endpoint: "a", status: "200" }, 2);
    hotCount.inc({ endpoint: "a", status: "400" });
    refCount.inc({ endpoint: "a", status: "200" }, 3);
    refCount.inc({ endpoint: "a", status: "400" });

    expect(await text(registry, "hot_seconds")).toBe(await text(registry, "ref_seconds"));
    expect(await text(registry, "hot_total")).toBe(await text(registry, "ref_total"));
    expect(await text(registry, "hot_seconds")).toContain('m_bucket{le="0.01",endpoint="a"} 4');
    expect(await text(registry, "hot_seconds")).toContain('m_bucket{le="+Inf",endpoint="b"} 8');
  });

  it("shows zeros for a metric without labels before it is used, and refuses labels it does not have", async () => {
    const registry = new client.Registry();
    const hot = new HotHistogram({ name: "hot_bytes", help: "b", buckets: [10, 100], registers: [registry] });
    const ref = new client.Histogram({ name: "ref_bytes", help: "b", buckets: [10, 100], registers: [registry] });
    expect(await text(registry, "hot_bytes")).toBe(await text(registry, "ref_bytes"));
    hot.observe(50);
    ref.observe(50);
    hot.observe(Number.NaN); // dropped: a metric never fails a request
    expect(await text(registry, "hot_bytes")).toBe(await text(registry, "ref_bytes"));
    const counter = new HotCounter({ name: "hot_x_total", help: "x", labelNames: ["endpoint"] as const, registers: [registry] });
    counter.labels({ endpoint: "a" }).inc();
    // Checked on every call, also for a label set already in use.
    expect(() => counter.labels({ endpoint: "a", other: "b" } as never)).toThrow("no label 'other'");
    expect(() => counter.labels({} as never)).toThrow("needs label 'endpoint'");
  });
});
