import { describe, expect, it } from "vitest";
import { decodeBundle, encodeBundle } from "./bundle";

describe("bundle", () => {
  const bytes = encodeBundle("TST1", { a: 1 }, { x: Float64Array.from([1.5, -2]), y: Int16Array.from([3, -4, 5]), z: Float32Array.from([0.25]) });
  const values = (arrays: Record<string, ArrayLike<number>>) => Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, Array.from(v)]));
  const expected = { x: [1.5, -2], y: [3, -4, 5], z: [0.25] };

  it("reads aligned bytes in place: the arrays are views on them", () => {
    const { header, arrays } = decodeBundle<{ a: number }>("TST1", bytes);
    expect(header.a).toBe(1);
    expect(values(arrays)).toEqual(expected);
    expect(arrays.x!.buffer).toBe(bytes.buffer);
  });

  it("copies bytes that are not 8-byte aligned, and arrays threads will share", () => {
    const shifted = new Uint8Array(bytes.length + 4);
    shifted.set(bytes, 4);
    const unaligned = decodeBundle("TST1", shifted.subarray(4)).arrays;
    expect(values(unaligned)).toEqual(expected);
    expect(unaligned.x!.buffer).not.toBe(shifted.buffer);
    const shared = decodeBundle("TST1", bytes, { shared: true }).arrays;
    expect(values(shared)).toEqual(expected);
    expect(shared.y!.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("refuses a truncated bundle, though its bytes are a view on a longer buffer", () => {
    expect(() => decodeBundle("TST1", bytes.subarray(0, bytes.length - 4))).toThrow(/damaged TST1 file: array 'z' lies outside it/);
  });
});
