import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { wire } from "./wire";

const through = (v: unknown) => wire.deserialize(JSON.parse(JSON.stringify(wire.serialize(v))) as { json: unknown; meta?: unknown });

describe("tRPC wire format", () => {
  it("sends plain JSON as it is, in superjson's envelope and without its walk", () => {
    const doc = { name: "p", nodes: [{ id: "a", config: { n: 3, on: true, none: null, list: [1, "x"] } }] };
    const out = wire.serialize(doc);
    expect(out).toEqual({ json: doc });
    expect(out.json).toBe(doc);
    expect(through(doc)).toEqual(doc);
    // What superjson itself writes for plain data reads the same.
    expect(wire.deserialize(JSON.parse(JSON.stringify(superjson.serialize(doc))))).toEqual(doc);
  });

  it("hands anything JSON would change to superjson, and reads it back exactly", () => {
    const when = new Date("2026-11-27T10:00:00Z");
    const back = through({ when, missing: undefined, nan: Number.NaN, big: [new Map([["k", 1]])], neg: -0 }) as Record<string, unknown>;
    expect(back.when).toEqual(when);
    expect(back.when).toBeInstanceOf(Date);
    expect("missing" in back).toBe(true);
    expect(back.nan).toBeNaN();
    expect((back.big as Map<string, number>[])[0]!.get("k")).toBe(1);
    expect(Object.is(back.neg, -0)).toBe(true);
    expect(wire.serialize({ since: when }).meta).toBeDefined();
  });

  it("sends arrays with holes and class instances as superjson always did", () => {
    const sparse = [1, , 3];
    class Point {
      constructor(readonly x: number) {}
    }
    const odd = { p: new Point(1) };
    expect(wire.serialize(sparse)).toEqual(superjson.serialize(sparse));
    expect(wire.serialize(odd)).toEqual(superjson.serialize(odd));
    expect(wire.serialize(odd).json).not.toBe(odd);
  });
});
