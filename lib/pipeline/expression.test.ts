import { describe, expect, it } from "vitest";
import type { ColumnType } from "./document";
import { checkCondition, evaluate, evaluateValue, ExpressionError, mayBeNull, parseCondition, parseExpression, referencedColumns, toSql } from "./expression";

const ev = (src: string, row: Record<string, unknown> = {}) => evaluate(parseExpression(src), row);
const holds = (src: string, row: Record<string, unknown> = {}) => evaluateValue(parseCondition(src), row);

describe("expression language", () => {
  it("parses a text once and hands out the same tree, and a fresh error each time", () => {
    expect(parseExpression("feature_1 * 2 + 1")).toBe(parseExpression("feature_1 * 2 + 1"));
    expect(parseCondition("a > 1")).not.toBe(parseExpression("a + 1"));
    const thrown = () => {
      try {
        parseExpression("1 +");
      } catch (e) {
        return e;
      }
    };
    const first = thrown();
    const second = thrown();
    expect(first).toBeInstanceOf(ExpressionError);
    expect(second).toBeInstanceOf(ExpressionError);
    expect(second).not.toBe(first);
    expect((second as ExpressionError).message).toBe((first as ExpressionError).message);
  });

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

  it("keeps reading a double-quoted name as a column in a numeric expression", () => {
    expect(ev('"a b" + 1', { "a b": 1 })).toBe(2);
    expect(() => parseExpression("a > 1")).toThrow("the expression gives true or false, not a number");
    expect(() => parseExpression("'x' * 2")).toThrow("'x' is string, not a number");
    expect(() => parseExpression("'x'")).toThrow("the expression gives a string, not a number");
  });
});

describe("conditions", () => {
  const row = { price: 120, qty: 0, city: "Oslo", vip: true, note: null };

  it("compares numbers, strings and booleans, with and/or/not in SQL's precedence", () => {
    expect(holds("price > 100", row)).toBe(true);
    expect(holds("price >= 120 and price <= 120 and price != 121 and qty == 0 and qty < 1", row)).toBe(true);
    expect(holds("city == 'Oslo'", row)).toBe(true);
    expect(holds('city == "Oslo"', row)).toBe(true);
    expect(holds("city < 'Paris' and city > 'Bergen'", row)).toBe(true);
    expect(holds("vip == true and not vip == false", row)).toBe(true);
    expect(holds("vip", row)).toBe(true);
    // not binds tighter than and, and tighter than or: (not (price > 100)) or (qty == 0 and city == 'x').
    expect(holds("not price > 100 or qty == 0 and city == 'x'", row)).toBe(false);
    expect(holds("(not price > 100 or qty == 0) and city == 'Oslo'", row)).toBe(true);
    expect(holds("price * 2 - 40 == 200 and abs(qty - 3) > 2", row)).toBe(true);
    expect(holds("TRUE AND NOT False", row)).toBe(true);
  });

  it("reads quotes doubled inside strings and backticked names", () => {
    expect(holds("name == 'it''s'", { name: "it's" })).toBe(true);
    expect(holds('name == "say ""hi"""', { name: 'say "hi"' })).toBe(true);
    expect(holds("`unit price` > 1 and `and` == 2", { "unit price": 2, and: 2 })).toBe(true);
    expect([...referencedColumns(parseCondition("`and` > 1 or is_missing(b)"))]).toEqual(["and", "b"]);
  });

  it("gives a missing result for a comparison with a missing value, and three-valued and/or", () => {
    expect(holds("note == 'x'", row)).toBeNull();
    expect(holds("absent > 1", row)).toBeNull();
    expect(holds("not note == 'x'", row)).toBeNull();
    expect(holds("note == 'x' and price < 0", row)).toBe(false);
    expect(holds("note == 'x' and price > 0", row)).toBeNull();
    expect(holds("note == 'x' or price > 0", row)).toBe(true);
    expect(holds("note == 'x' or price < 0", row)).toBeNull();
    expect(holds("is_missing(note) and is_missing(absent) and not is_missing(city)", row)).toBe(true);
    expect(holds("is_missing(price / qty)", row)).toBe(true);
  });

  it("orders strings by code point and NaN above every number, as DuckDB does", () => {
    expect(holds("a < b", { a: "\uffff", b: "😀" })).toBe(true);
    expect(holds("a < b", { a: "Z", b: "a" })).toBe(true);
    expect(holds("a > 1e300 and a == a", { a: NaN })).toBe(true);
  });

  it("writes SQL with each column read as its type", () => {
    const types: Record<string, ColumnType> = { price: "number", city: "string", vip: "boolean" };
    expect(toSql(parseCondition("price > 1 and city != 'O''x' or not vip or is_missing(city)"), (c) => types[c])).toBe(
      `(((("price"::DOUBLE > 1::DOUBLE) AND ("city" <> 'O''x')) OR (NOT "vip")) OR ("city" IS NULL))`,
    );
  });

  it.each([
    ["'a' < 3", "cannot compare 'a' (string) with 3 (number)"],
    ["a < b < c", "comparisons cannot be chained (position 7); join them with 'and'"],
    ["a = 1", "unexpected '=' at position 3 (compare with '==')"],
    ["1 and a", "1 is number, not true or false"],
    ["not 'x'", "'x' is string, not true or false"],
    ["a + 1", "the condition gives a number; it must be true or false (e.g. price > 100)"],
    ["'oslo'", "the condition gives a string; it must be true or false (e.g. price > 100)"],
    ["(a > 1) * 2 > 0", "the comparison '>' is boolean, not a number"],
    ["is_missing(a, b)", "is_missing() takes 1 argument(s), got 2"],
    ["a > 1 and", "expression ends too early"],
    ["city == 'Oslo", "unclosed ' starting at position 9"],
    ["or a", "unexpected 'or' at position 1"],
  ])("rejects the condition %j with %j", (src, message) => {
    expect(() => parseCondition(src)).toThrow(ExpressionError);
    expect(() => parseCondition(src)).toThrow(message);
  });

  it("bounds the nesting of not as of parentheses", () => {
    expect(() => parseCondition(`${"not ".repeat(300)}a`)).toThrow("expression nests deeper than 256 levels");
    expect(parseCondition(`${"not ".repeat(250)}a`).kind).toBe("not");
    expect(parseCondition(`${"(".repeat(250)}a > 1${")".repeat(250)}`).kind).toBe("cmp");
  });

  it("checks the columns' types, naming the column", () => {
    const types: Record<string, ColumnType> = { price: "number", city: "string", vip: "boolean" };
    const problems = (src: string) => checkCondition(parseCondition(src), (c) => types[c]);
    expect(problems("city > 3")).toEqual(["cannot compare column 'city' (string) with 3 (number)"]);
    expect(problems("price == city")).toEqual(["cannot compare column 'price' (number) with column 'city' (string)"]);
    expect(problems("vip and price")).toEqual(["column 'price' is number, not true or false"]);
    expect(problems("city * 2 > 1")).toEqual(["column 'city' is string, not a number"]);
    expect(problems("price")).toEqual(["the condition gives a number; it must be true or false (e.g. price > 100)"]);
    expect(problems("nope > 1 or other")).toEqual(["column 'nope' is not in the input", "column 'other' is not in the input"]);
    expect(problems("vip or price > 1 and city == 'x'")).toEqual([]);
  });

  it("knows which conditions can be missing", () => {
    const nullable = (src: string, cols: Record<string, boolean>) => mayBeNull(parseCondition(src), (c) => cols[c] ?? false);
    expect(nullable("a > 1", { a: true })).toBe(true);
    expect(nullable("a > 1 and b == 'x'", { a: false, b: false })).toBe(false);
    expect(nullable("is_missing(a)", { a: true })).toBe(false);
  });
});
