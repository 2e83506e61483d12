import { describe, expect, it } from "vitest";
import { driftLevel, jensenShannon, psi } from "./drift";
import fixtures from "./drift.fixtures.json";
import { binLabels, binner, buildProfile } from "./profile";

describe("drift against numpy and scipy on the same bins", () => {
  it.each(fixtures.cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    expect(Math.abs(psi(c.reference, c.current) - c.psi)).toBeLessThan(1e-9);
    expect(Math.abs(jensenShannon(c.reference, c.current) - c.js)).toBeLessThan(1e-9);
  });
  it("is zero for the same distribution and grows with the shift", () => {
    expect(psi([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
    expect(jensenShannon([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.log(2)), 12);
    expect(driftLevel({ psi: 0.05, js: 0.02 })).toBe("ok");
    expect(driftLevel({ psi: 0.12, js: 0.05 })).toBe("warn");
    expect(driftLevel({ psi: 0.3, js: 0.05 })).toBe("alarm");
    expect(driftLevel({ psi: 0.05, js: 0.11 })).toBe("alarm");
    expect(driftLevel({ psi: 0.12, js: 0 }, { psiWarn: 0.2, psiAlarm: 0.5, jsAlarm: 0.3 })).toBe("ok");
  });
});

describe("reference profiles", () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  const colour = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? null : i % 3 === 0 ? "red" : i % 3 === 1 ? "green" : "blue"));
  const profile = buildProfile(
    [
      { name: "x", kind: "numeric", values: [...values.slice(0, 990), null, null, null, null, null, Number.NaN, null, null, null, null] },
      { name: "colour", kind: "categorical", values: colour },
    ],
    { task: "classification", values: values.map((v) => (v % 4 === 0 ? "yes" : "no")) },
  );

  it("bins numbers on deciles with a bin for missing values, and counts every row once", () => {
    const x = profile.features[0]!;
    expect(x.kind).toBe("numeric");
    if (x.kind !== "numeric") return;
    expect(x.edges).toEqual([100, 199, 298, 397, 496, 595, 694, 793, 892]);
    expect(x.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(x.counts[x.counts.length - 1]).toBe(10);
    expect(x.counts[0]).toBe(100);
    const bin = binner(x);
    expect([bin(100), bin(100.5), bin(-5), bin(1e9), bin(null), bin("250"), bin("n/a")]).toEqual([0, 1, 0, 9, 10, 2, 10]);
    expect(binLabels(x)).toHaveLength(x.counts.length);
    expect(binLabels(x)[0]).toBe("≤ 100");
    expect(binLabels(x).at(-1)).toBe("missing");
  });

  it("keeps the most frequent categories, with bins for others and for missing", () => {
    const c = profile.features[1]!;
    expect(c.kind === "categorical" && c.categories).toEqual(["blue", "green", "red"]);
    const bin = binner(c);
    expect([bin("red"), bin("purple"), bin(null), bin(3)]).toEqual([2, 3, 4, 3]);
    expect(c.counts).toEqual([300, 300, 300, 0, 100]);
    expect(profile.prediction.kind === "categorical" && profile.prediction.categories).toEqual(["no", "yes"]);
    expect(profile.prediction.counts).toEqual([750, 250, 0, 0]);
  });

  it("counts the categories past the most frequent twenty as another value, as serving bins them", () => {
    // 25 categories, category k written k + 1 times; numbers among them are counted by their text.
    const many = Array.from({ length: 25 }, (_, k) => Array.from({ length: k + 1 }, () => (k === 24 ? 24 : `c${k}`))).flat();
    const values = [...many, null, undefined, Number.NaN];
    const p = buildProfile([{ name: "c", kind: "categorical", values }], { task: "regression", values: values.map((_, i) => i) }).features[0]!;
    if (p.kind !== "categorical") throw new Error("categorical expected");
    expect(p.categories).toEqual(["24", ...Array.from({ length: 19 }, (_, k) => `c${23 - k}`)]);
    const bin = binner(p);
    const byBinner = new Array<number>(p.counts.length).fill(0);
    for (const v of values) byBinner[bin(v)]!++;
    expect(p.counts).toEqual(byBinner);
    expect(p.counts.slice(-2)).toEqual([1 + 2 + 3 + 4 + 5, 3]);
  });
});
