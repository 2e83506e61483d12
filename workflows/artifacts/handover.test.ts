import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { leave, take } from "./handover";
import { tempStore } from "./testing";

const a = tempStore();
const b = tempStore();
afterAll(() => {
  a.cleanup();
  b.cleanup();
});
afterEach(() => vi.useRealTimers());

describe("handover", () => {
  it("hands the value left for an artifact to the next reader in the process, once", async () => {
    const uri = await a.store.putBytes("runs/r/n/model.bin", new Uint8Array([1, 2, 3]));
    const value = { decoded: true };
    await leave(a.store, uri, value);
    expect(await take(a.store, uri)).toBe(value);
    expect(await take(a.store, uri)).toBeUndefined();
  });

  it("hands nothing once the artifact was written again, removed, or for another artifact or store", async () => {
    const uri = await a.store.putBytes("runs/r/n/model.bin", new Uint8Array([1, 2, 3]));
    await leave(a.store, uri, "old");
    // The same key written again (a retried activity): the value left is not what it holds now.
    await a.store.putBytes("runs/r/n/model.bin", new Uint8Array([1, 2, 3]));
    expect(await take(a.store, uri)).toBeUndefined();

    await leave(a.store, uri, "v");
    expect(await take(a.store, "artifact:runs/r/n/other.bin")).toBeUndefined();
    // Another store holding the same key: a different file.
    const same = await b.store.putBytes("runs/r/n/model.bin", new Uint8Array([1, 2, 3]));
    expect(same).toBe(uri);
    expect(await take(b.store, uri)).toBeUndefined();

    await a.store.removeGroup("runs", "r");
    expect(await take(a.store, uri)).toBeUndefined();
  });

  it("keeps one value, for a minute", async () => {
    const first = await a.store.putBytes("runs/s/n/one.bin", new Uint8Array([1]));
    const second = await a.store.putBytes("runs/s/n/two.bin", new Uint8Array([2]));
    await leave(a.store, first, 1);
    await leave(a.store, second, 2);
    expect(await take(a.store, first)).toBeUndefined();
    expect(await take(a.store, second)).toBe(2);

    vi.useFakeTimers();
    await leave(a.store, first, 1);
    vi.advanceTimersByTime(60_001);
    expect(await take(a.store, first)).toBeUndefined();
  });

  it("keeps nothing for a store that cannot tell one write of an artifact from another", async () => {
    const uri = await a.store.putBytes("runs/t/n/model.bin", new Uint8Array([1]));
    const blind = Object.assign(Object.create(a.store) as typeof a.store, { identity: async () => null });
    await leave(blind, uri, "v");
    expect(await take(blind, uri)).toBeUndefined();
  });
});
