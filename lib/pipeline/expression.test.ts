import { describe, expect, it } from "vitest";
import { evaluate, ExpressionError, mayBeNull, parseExpression, referencedColumns } from "./expression";

const ev = (src: string, row: Record<string, unknown> = {}) => evaluate(parseExpression(src), row);

describe("expression language", () => {
  it("follows arithmetic precedence and associativity", () => {
    expect(ev("1 + 2 * 3")).toBe(7);
    expect(ev("(1 + 2) * 3")).toBe(9);
    expect(ev("10 - 4 - 3")).toBe(3);
    expect(ev("2 ^ 3 ^ 2")).toBe(512);
    expect(ev("-2 ^ 2")).toBe(-4);
    expect(ev("8 / 4 / 2")).toBe(1);
    expect(ev("max(1, 2) + min(3, -1) + abs(-2)")).toBe(3);
    expect(ev("1.5e2 + .5")).toBe(150.5);
  });

  it("reads columns, including quoted names, and propagates missing values", () => {
    expect(ev("feature_1 * feature_2", { feature_1: 3, feature_2: 4 })).toBe(12);
    expect(ev("`a b` + 1", { "a b": 1 })).toBe(2);
    expect(ev("x * 2", { x: null })).toBeNull();
    expect(ev("x / y", { x: 1, y: 0 })).toBeNull();
    expect([...referencedColumns(parseExpression("a * b + log(c) - a"))]).toEqual(["a", "b", "c"]);
  });

  it.each([
    ["", "expression is empty"],
    ["1 +", "expression ends too early"],
    ["a * (b + c", "expected ')' at position 11"],
    ["a $ b", "unexpected '$' at position 3"],
    ["foo(a)", "unknown function 'foo'"],
    ["max(a)", "max() takes 2 argument(s), got 1"],
    ["a b", "unexpected 'b' at position 3"],
  ])("rejects %j with %j", (src, message) => {
    expect(() => parseExpression(src)).toThrow(ExpressionError);
    expect(() => parseExpression(src)).toThrow(message);
  });

  it("refuses what the engines would refuse: infinite constants, very long or deep expressions", () => {
    expect(() => parseExpression("feature_1 * 1e999")).toThrow("the number 1e999 at position 13 is out of range");
    expect(() => parseExpression(`${"(".repeat(5000)}a${")".repeat(5000)}`)).toThrow("expression is longer than 2000 characters");
    expect(() => parseExpression(`${"(".repeat(300)}a${")".repeat(300)}`)).toThrow("expression nests deeper than 256 levels");
    expect(() => parseExpression(Array.from({ length: 300 }, (_, i) => `c${i}`).join("+"))).toThrow("expression nests deeper than 256 levels");
    // A long but reasonable sum is fine.
    expect(referencedColumns(parseExpression(Array.from({ length: 200 }, (_, i) => `c${i}`).join(" + "))).size).toBe(200);
  });

  it("knows from the tree whether a result can be missing", () => {
    const nullable = (src: string, cols: Record<string, boolean>) => mayBeNull(parseExpression(src), (c) => cols[c] ?? false);
    // The old guess matched 'log' anywhere in the text: a column named catalog_id made it nullable.
    expect(nullable("catalog_id * 2", { catalog_id: false })).toBe(false);
    expect(nullable("sqrt(abs(a)) + log(abs(a) + 1)", { a: false })).toBe(false);
    expect(nullable("a / 2", { a: false })).toBe(false);
    expect(nullable("a / b", { a: false, b: false })).toBe(true);
    expect(nullable("a / 0", { a: false })).toBe(true);
    expect(nullable("a * b", { a: false, b: true })).toBe(true);
    expect(nullable("max(a, -b)", { a: false, b: true })).toBe(true);
  });
});
