import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { PostgresArtifactStore } from "./store";

const cache = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pg-cache-"));
afterAll(async () => {
  fs.rmSync(cache, { recursive: true, force: true });
  await closeDb();
});

describe("Postgres artifact store (shared between machines)", () => {
  it("round-trips bytes, overwrites a key and materialises a local file for DuckDB", async () => {
    const store = new PostgresArtifactStore(db(), cache);
    const uri = await store.putBytes("runs/x/n/data.bin", new Uint8Array([1, 2, 3]));
    await store.putBytes("runs/x/n/data.bin", new Uint8Array([4, 5, 6, 7]));
    expect([...(await store.getBytes(uri))]).toEqual([4, 5, 6, 7]);
    const local = await store.localPath(uri);
    expect([...fs.readFileSync(local)]).toEqual([4, 5, 6, 7]);
    // A second store (another machine) with an empty cache sees the same bytes.
    const other = new PostgresArtifactStore(db(), fs.mkdtempSync(path.join(cache, "other-")));
    expect([...fs.readFileSync(await other.localPath(uri))]).toEqual([4, 5, 6, 7]);
    await expect(store.getBytes("artifact:missing")).rejects.toThrow("artifact not found: artifact:missing");
  });

  it("stores parts as one artifact, and cannot tell one write of a key from another (nothing is handed over)", async () => {
    const store = new PostgresArtifactStore(db(), cache);
    const uri = await store.putParts("runs/x/n/parts.bin", [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)]);
    expect([...(await store.getBytes(uri))]).toEqual([1, 2, 3]);
    expect(await store.identity(uri)).toBeNull();
  });
});
