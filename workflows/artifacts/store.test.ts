import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { tempStore } from "./testing";
import path from "node:path";
import { cleanStaleScratch, keyOf, uriFor } from "./store";

const { store, dir, cleanup } = tempStore();
afterAll(cleanup);

describe("filesystem artifact store", () => {
  it("stores bytes and files under keys, overwriting on retry", async () => {
    const uri = await store.putBytes("runs/r/n/model.json", Buffer.from("one"));
    expect(uri).toBe("artifact:runs/r/n/model.json");
    await store.putBytes("runs/r/n/model.json", Buffer.from("two"));
    expect((await store.getBytes(uri)).toString()).toBe("two");
    const scratch = await store.scratchDir();
    fs.writeFileSync(`${scratch}/f`, "file");
    const u2 = await store.putFile("d/f", `${scratch}/f`);
    expect(fs.readFileSync(await store.localPath(u2), "utf8")).toBe("file");
  });
  it("writes parts one after another as one artifact: an empty part, a view into a larger buffer and shared memory included", async () => {
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
    const shared = new Uint8Array(new SharedArrayBuffer(5));
    shared.set([9, 8, 7, 6, 5]);
    const parts = [Uint8Array.of(1, 2), new Uint8Array(0), big.subarray(100, 200_100), shared];
    const uri = await store.putParts("runs/r/n/parts.bin", parts);
    expect(new Uint8Array(await store.getBytes(uri))).toEqual(Uint8Array.from([1, 2, ...big.subarray(100, 200_100), 9, 8, 7, 6, 5]));
  });
  it("writes more parts than it hands one writev call (512)", async () => {
    const parts = Array.from({ length: 1300 }, (_, i) => Uint8Array.of(i % 256, (i >> 8) % 256));
    const uri = await store.putParts("runs/r/n/many.bin", parts);
    expect(new Uint8Array(await store.getBytes(uri))).toEqual(Uint8Array.from(parts.flatMap((p) => [...p])));
  });
  it("refuses keys that escape the store", () => {
    expect(() => keyOf("artifact:../etc/passwd")).toThrow(/invalid artifact key/);
    expect(() => keyOf("artifact:/abs")).toThrow(/invalid artifact key/);
    expect(() => keyOf("s3://x")).toThrow(/not an artifact URI/);
    expect(keyOf(uriFor("a/b"))).toBe("a/b");
  });
  it("gives each process its own scratch space and removes what dead processes left", async () => {
    const mine = await store.scratchDir();
    expect(path.relative(dir, mine)).toMatch(new RegExp(`^\\.scratch/p${process.pid}/w-`));
    const dead = path.join(dir, ".scratch", "p999999999", "w-old");
    fs.mkdirSync(dead, { recursive: true });
    fs.writeFileSync(path.join(dead, "data.parquet"), "left behind");
    fs.mkdirSync(path.join(dir, ".scratch", "w-flat-old"), { recursive: true });
    expect(await cleanStaleScratch(dir)).toBe(2);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
  });
});
