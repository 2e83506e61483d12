import { describe, expect, it } from "vitest";
import { parseInstances, validateInstances } from "~/workflows/model/validate";
import { signatureChanges, type InputField } from "~/workflows/model/signature";

const cols = [
  { name: "x", type: "number" as const, nullable: true },
  { name: "y", type: "number" as const, nullable: false },
  { name: "c", type: "string" as const, nullable: false },
];

describe("endpoint input", () => {
  it("accepts one object or an instances array", () => {
    expect(parseInstances({ x: 1 }, 10)).toEqual({ instances: [{ x: 1 }], batch: false });
    expect(parseInstances({ instances: [{ x: 1 }, { x: 2 }] }, 10)).toEqual({ instances: [{ x: 1 }, { x: 2 }], batch: true });
  });
  it.each([
    [[1, 2], "body must be a JSON object"],
    [null, "body must be a JSON object"],
    [{ instances: {} }, "'instances' must be an array"],
    [{ instances: [] }, "'instances' is empty"],
    [{ instances: [{}, {}, {}] }, "at most 2 instances per request, got 3"],
    [{ instances: [{}], x: 1 }, "no other top-level fields"],
  ])("rejects %j", (body, message) => {
    const res = parseInstances(body, 2);
    expect("error" in res && res.error).toContain(message);
  });
  it("names every missing, extra or mistyped field", () => {
    expect(validateInstances([{ x: null, y: 1, c: "a" }], cols)).toEqual({ errors: [], unknown: [], coerced: false });
    expect(validateInstances([{ x: "1", y: null, extra: true }, 5], cols, "reject").errors).toEqual([
      { instance: 0, field: "x", message: 'must be a number, got "1"' },
      { instance: 0, field: "y", message: "must be a number, not null" },
      { instance: 0, field: "c", message: "is required" },
      { instance: 0, field: "extra", message: "is not an input of this model" },
      { instance: 1, field: "", message: "instance must be a JSON object" },
    ]);
  });
  it("takes whole numbers only where the column held integers", () => {
    const year = [{ name: "year", type: "number" as const, kind: "integer" as const, nullable: false }];
    expect(validateInstances([{ year: 2007 }, { year: 2007.0 }], year).errors).toEqual([]);
    expect(validateInstances([{ year: 2007.5 }], year).errors).toEqual([{ instance: 0, field: "year", message: "must be a whole number (the column holds integers), got 2007.5" }]);
    expect(validateInstances([{ x: 2007.5, y: 1, c: "a" }], cols).errors).toEqual([]);
  });
  it("reads the source's spellings of a missing value as missing, where the model takes one", () => {
    const tokens = ["", "NA", "N/A"];
    const fields = [
      { name: "sex", type: "string" as const, kind: "categorical" as const, nullable: true, missingTokens: tokens },
      { name: "mass", type: "number" as const, kind: "float" as const, nullable: true, missingTokens: tokens },
      { name: "island", type: "string" as const, kind: "categorical" as const, nullable: false, missingTokens: tokens },
    ];
    const row = { sex: "NA", mass: "N/A", island: "Biscoe" };
    expect(validateInstances([row], fields)).toEqual({ errors: [], unknown: [], coerced: true });
    expect(row).toEqual({ sex: null, mass: null, island: "Biscoe" });
    // "na" is not the source's spelling; a column that takes no missing value reads the token as the text it is.
    const other = { sex: "na", mass: 4000, island: "NA" };
    expect(validateInstances([other], fields)).toEqual({ errors: [], unknown: [], coerced: false });
    expect(other).toEqual({ sex: "na", mass: 4000, island: "NA" });
  });
  it("says a number is out of range instead of printing it back as null", () => {
    expect(validateInstances([{ x: Number.POSITIVE_INFINITY, y: 1, c: "a" }], cols).errors).toEqual([{ instance: 0, field: "x", message: "is a number out of range" }]);
  });
  it("ignores unknown fields by default and names them once", () => {
    expect(validateInstances([{ x: 1, y: 1, c: "a", id: 7 }, { x: 1, y: 2, c: "b", id: 8, note: "" }], cols)).toEqual({ errors: [], unknown: ["id", "note"], coerced: false });
  });
  it("lets optional fields be left out, and reads booleans in the source's spellings", () => {
    const fields = [
      { name: "x", type: "number" as const, nullable: true },
      { name: "unused", type: "string" as const, nullable: true, optional: true as const },
      { name: "member", type: "boolean" as const, nullable: false, tokens: { true: ["Yes", "Y"], false: ["No", "N"] } },
    ];
    const row: Record<string, unknown> = { x: 2, member: "Y" };
    // A rewritten spelling is said (the prediction log then serializes the row rather than log its text).
    expect(validateInstances([row], fields)).toEqual({ errors: [], unknown: [], coerced: true });
    expect(row.member).toBe(true);
    expect(validateInstances([{ x: 2, member: false }], fields)).toEqual({ errors: [], unknown: [], coerced: false });
    expect(validateInstances([{ member: "maybe" }], fields).errors).toEqual([
      { instance: 0, field: "x", message: "is required" },
      { instance: 0, field: "member", message: 'must be true or false (or "Yes", "Y", "No", "N"), got "maybe"' },
    ]);
  });
  it("lets a model with an input named 'instances' take single objects", () => {
    const withInstances = [{ name: "instances", type: "number" as const, nullable: false }, ...cols];
    expect(parseInstances({ instances: 3, y: 1, c: "a", x: null }, 10, withInstances)).toEqual({ instances: [{ instances: 3, y: 1, c: "a", x: null }], batch: false });
    expect(parseInstances({ instances: [{ instances: 3, y: 1, c: "a", x: null }] }, 10, withInstances)).toMatchObject({ batch: true });
  });
  it("takes dates, timestamps and times only as the file writes them", () => {
    const fields = [
      { name: "day", type: "string" as const, nullable: true, kind: "date" as const, format: "%d/%m/%Y" },
      { name: "seen", type: "string" as const, nullable: true, kind: "datetime" as const, format: "iso8601" },
      { name: "at", type: "string" as const, nullable: true, kind: "time" as const, format: "hh:mm[:ss]" },
    ];
    expect(validateInstances([{ day: "31/12/2024", seen: "2024-01-01T10:00:00Z", at: "09:30" }, { day: null, seen: null, at: null }], fields).errors).toEqual([]);
    expect(validateInstances([{ day: "2024-12-31", seen: "garbage", at: "25:00" }, { day: "31/02/2024", seen: "2024-02-27", at: "9:30" }], fields).errors).toEqual([
      { instance: 0, field: "day", message: 'must be a date written like 31/12/2024, got "2024-12-31"' },
      { instance: 0, field: "seen", message: 'must be a datetime written like 2024-12-31T23:59:00Z, got "garbage"' },
      { instance: 0, field: "at", message: 'must be a time written like 23:59, got "25:00"' },
      { instance: 1, field: "day", message: 'must be a date written like 31/12/2024, got "31/02/2024"' },
      { instance: 1, field: "seen", message: 'must be a datetime written like 2024-12-31T23:59:00Z, got "2024-02-27"' },
    ]);
  });
  it("reads booleans only in the spellings the file used (the ones the OpenAPI lists)", () => {
    const fields = [{ name: "member", type: "boolean" as const, nullable: false, tokens: { true: ["Yes"], false: ["No"] } }];
    expect(validateInstances([{ member: "YES" }], fields).errors).toHaveLength(1);
  });
});

describe("signature changes a deploy must confirm", () => {
  const field = (name: string, over: Partial<InputField> = {}): InputField => ({ name, type: "number", kind: "float", nullable: true, ...over });
  it("names a field that becomes required, changes type, refuses null or takes whole numbers only", () => {
    const current = [field("a"), field("b", { optional: true }), field("c"), field("d"), field("e")];
    const next = [field("a"), field("b"), field("c", { type: "string", kind: "categorical" }), field("d", { nullable: false }), field("e", { kind: "integer" }), field("f", { optional: true })];
    expect(signatureChanges(current, next)).toEqual(["'b' becomes required", "'c' changes from number to string", "'d' no longer accepts null", "'e' takes whole numbers only"]);
    expect(signatureChanges(next, next)).toEqual([]);
    // Integers before, integers now: nothing new for callers.
    expect(signatureChanges([field("e", { kind: "integer" })], [field("e", { kind: "integer" })])).toEqual([]);
  });
});
