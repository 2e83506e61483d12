import { describe, expect, it } from "vitest";
import { NodeValueStore } from "./node-values";

describe("NodeValueStore", () => {
  it("tells only the cards whose value changed, appeared or went away", () => {
    const store = new NodeValueStore<{ n: number }>((a, b) => a.n === b.n);
    const calls: string[] = [];
    for (const id of ["a", "b", "c"]) store.subscribe(id, () => calls.push(id));
    const a = { n: 1 };
    store.set([["a", a], ["b", { n: 1 }]]);
    expect(calls.sort()).toEqual(["a", "b"]);
    calls.length = 0;

    // An equal value keeps the previous object and tells nobody; a different one tells its card.
    store.set([["a", { n: 1 }], ["b", { n: 2 }]]);
    expect(calls).toEqual(["b"]);
    expect(store.get("a")).toBe(a);
    calls.length = 0;

    // A node gone away and a new one.
    store.set([["a", { n: 1 }], ["c", { n: 3 }]]);
    expect(calls.sort()).toEqual(["b", "c"]);
    expect(store.get("b")).toBeUndefined();
  });

  it("compares by identity unless told otherwise, and stops calling an unsubscribed card", () => {
    const store = new NodeValueStore<Record<string, unknown>>();
    let calls = 0;
    const stop = store.subscribe("a", () => calls++);
    store.set([["a", { x: 1 }]]);
    store.set([["a", { x: 1 }]]); // a new settings object is a change
    expect(calls).toBe(2);
    stop();
    store.set([["a", { x: 2 }]]);
    expect(calls).toBe(2);
  });
});
