import { describe, expect, it } from "vitest";
import { trafficBreach } from "../endpoints/guardrails";
import { VariantStats } from "./variant-stats";

describe("variant stats and traffic guardrails", () => {
  it("keeps the p99 of the last 1,024 answers and counts failures apart", () => {
    const s = new VariantStats();
    expect(s.p99Ms()).toBeNull();
    for (let i = 1; i <= 100; i++) s.ok(i);
    expect(s.p99Ms()).toBe(99);
    for (let i = 0; i < 2000; i++) s.ok(1);
    expect(s.p99Ms()).toBe(1); // the slow answers left the window
    s.failed();
    expect([s.requests, s.errors]).toEqual([2101, 1]);
  });

  it("judges only with enough requests, and only when the interval is clear of the bound", () => {
    const g = { maxErrorRate: 0.1, minRequests: 100 };
    expect(trafficBreach(g, { requests: 99, errors: 99, p99Ms: 1 })).toBeNull();
    // 15% observed, but the 95% interval (9.3%–23.3%) still reaches below 10%.
    expect(trafficBreach(g, { requests: 100, errors: 15, p99Ms: 1 })).toBeNull();
    expect(trafficBreach(g, { requests: 400, errors: 60, p99Ms: 1 })).toMatch(/^error rate 0\.150 \(95% interval 0\.11\d–0\.1\d\d, 400 requests\) is above 0\.1$/);
    expect(trafficBreach({ maxP99Ms: 20 }, { requests: 100, errors: 0, p99Ms: 20 })).toBeNull();
    expect(trafficBreach({ maxP99Ms: 20 }, { requests: 100, errors: 0, p99Ms: 25.5 })).toBe("p99 latency 25.5 ms (100 requests) is above 20 ms");
  });
});
