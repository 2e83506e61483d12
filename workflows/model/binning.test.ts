import { describe, expect, it } from "vitest";
import { mulberry32 } from "~/lib/random";
import { sortFinite } from "./binning";

describe("sortFinite", () => {
  const rand = mulberry32(4);
  const cases: Record<string, number[]> = {
    "whole numbers (delays, times of day)": Array.from({ length: 50_000 }, () => Math.round(rand() * 2400) - 60),
    "fractions of every magnitude and sign": Array.from({ length: 50_000 }, () => (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20)),
    "zeros of both signs among others": Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : rand() - 0.5)),
    "extremes": Array.from({ length: 10_000 }, (_, i) => [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1][i % 6]!),
    "one value": Array.from({ length: 8_000 }, () => 3.25),
    "the fewest the radix sort takes (4,096)": Array.from({ length: 4096 }, (_, i) => [3, -0, 0, -2.5, 1e-300, -1e300][i % 6]! * (1 + (i % 7))),
  };
  for (const [name, values] of Object.entries(cases)) {
    it(`orders ${name} as Float64Array.prototype.sort does, bit for bit`, () => {
      const expected = Float64Array.from(values).sort();
      const got = sortFinite(Float64Array.from(values));
      expect(got.length).toBe(expected.length);
      const bits = (a: Float64Array) => new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
      expect(bits(got)).toEqual(bits(expected));
    });
  }

  it("sorts a view in place, leaving the rest of its buffer alone", () => {
    const all = Float64Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    const before = all.slice();
    const view = all.subarray(1000, 9000);
    sortFinite(view);
    expect(Array.from(view)).toEqual(Array.from(before.subarray(1000, 9000)).sort((a, b) => a - b));
    expect(all.subarray(0, 1000)).toEqual(before.subarray(0, 1000));
    expect(all.subarray(9000)).toEqual(before.subarray(9000));
  });
});
