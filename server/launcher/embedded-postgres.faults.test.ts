/**
 * Upgrading an install whose embedded Postgres still has the old default password: the next
 * start replaces it with the generated one, and the data stays.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts } from "../testing/services";
import { embeddedPostgres } from "./embedded-postgres";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pg-upgrade-"));
fs.chmodSync(dir, 0o755);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("embedded Postgres password", () => {
  it("moves a cluster made with the legacy password to the generated one, keeping its data", async () => {
    const [port] = await freePorts(1);
    const url = (pw: string) => `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/keep`;
    const old = await embeddedPostgres({ dir: path.join(dir, "pg"), port: port!, database: "keep", password: "postgres", log: () => {} });
    let running = await old.start();
    const before = postgres(url("postgres"), { max: 1, onnotice: () => {} });
    await before`create table kept (v int)`;
    await before`insert into kept values (42)`;
    await before.end();
    await running.stop();

    const generated = "generated-Pw-123";
    const lines: string[] = [];
    const upgraded = await embeddedPostgres({ dir: path.join(dir, "pg"), port: port!, database: "keep", password: generated, log: (l) => lines.push(l) });
    running = await upgraded.start();
    try {
      expect(lines).toContain("replaced the embedded Postgres's default password with the generated one in .data/postgres-password");
      const now = postgres(url(generated), { max: 1, onnotice: () => {} });
      expect(await now`select v from kept`).toEqual([{ v: 42 }]);
      await now.end();
      const legacy = postgres(url("postgres"), { max: 1, onnotice: () => {} });
      expect(await legacy`select 1`.then(() => null, (e: { code?: string }) => e.code)).toBe("28P01");
      await legacy.end({ timeout: 1 });
    } finally {
      await running.stop();
    }
  });
});
