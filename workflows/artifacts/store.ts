/**
 * Artifact store: datasets (Parquet) and models live here, addressed by `artifact:<key>` URIs.
 * Nodes pass URIs, never bytes. `fs` (default) keeps files under the data dir; `postgres`
 * keeps bytes in the `artifact` table so workers on other machines can share them.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { artifacts } from "~/db/schema";

export interface ArtifactStore {
  readonly kind: "fs" | "postgres";
  /** Stores a local file under `key` (overwriting: retried activities write the same key). */
  putFile(key: string, file: string): Promise<string>;
  putBytes(key: string, bytes: Uint8Array): Promise<string>;
  /** `putBytes` of the parts' bytes one after another (a file written from them, not joined first). */
  putParts(key: string, parts: Uint8Array[]): Promise<string>;
  /** A local path holding the artifact's bytes, for engines that read files (DuckDB). */
  localPath(uri: string): Promise<string>;
  getBytes(uri: string): Promise<Buffer>;
  /**
   * What tells the artifact's present bytes apart from any it held before or will hold — a
   * file's device, inode, size and times (every write is a new file renamed into place) — or
   * null where the store cannot tell cheaply (Postgres). See handover.ts.
   */
  identity(uri: string): Promise<string | null>;
  /** A new scratch directory for files that are about to be stored; the caller removes it. */
  scratchDir(): Promise<string>;
  /** The groups under a top-level folder (`runs` → each run id), with when each was last written. */
  groups(top: string): Promise<{ name: string; writtenAt: Date }[]>;
  /** Removes a group (`runs/<id>`) and everything in it; returns the bytes freed. */
  removeGroup(top: string, name: string): Promise<number>;
}

const GROUP = /^[A-Za-z0-9_-]{1,200}$/;
function checkGroup(top: string, name: string) {
  if (!GROUP.test(top) || !GROUP.test(name)) throw new Error(`invalid artifact group: ${top}/${name}`);
}

/** Size and newest modification time of everything under a directory. */
async function treeStats(dir: string): Promise<{ bytes: number; newest: number }> {
  let bytes = 0;
  let newest = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const st = await fs.stat(path.join(e.parentPath, e.name)).catch(() => null);
    if (!st) continue;
    bytes += st.size;
    newest = Math.max(newest, st.mtimeMs);
  }
  return { bytes, newest };
}

const PREFIX = "artifact:";
export const uriFor = (key: string) => `${PREFIX}${key}`;
export function keyOf(uri: string): string {
  if (!uri.startsWith(PREFIX)) throw new Error(`not an artifact URI: ${uri}`);
  const key = uri.slice(PREFIX.length);
  if (key.split("/").some((p) => p === ".." || p === "") || path.isAbsolute(key)) {
    throw new Error(`invalid artifact key: ${key}`);
  }
  return key;
}

/**
 * Scratch directories live under `.scratch/p<pid>/`, so that what a process killed mid-work left
 * behind can be told apart from what a live one (another worker on the same disk) still uses.
 */
async function newScratchDir(root: string) {
  const mine = path.join(root, `p${process.pid}`);
  await fs.mkdir(mine, { recursive: true });
  return fs.mkdtemp(path.join(mine, "w-"));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Removes the scratch space of processes that are gone. Returns how many directories it removed. */
export async function cleanStaleScratch(root: string): Promise<number> {
  const entries = await fs.readdir(path.join(root, ".scratch"), { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const e of entries) {
    const pid = /^p(\d+)$/.exec(e.name)?.[1];
    // Directories of the old flat layout (no pid) belong to nobody alive either.
    if (pid && alive(Number(pid)) && Number(pid) !== 0) continue;
    await fs.rm(path.join(root, ".scratch", e.name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

async function atomicWrite(target: string, write: (tmp: string) => Promise<void>) {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await write(tmp);
  await fs.rename(tmp, target);
}

export class FsArtifactStore implements ArtifactStore {
  readonly kind = "fs";
  constructor(private readonly root: string) {}

  private pathFor(key: string) {
    return path.join(this.root, key);
  }
  async putFile(key: string, file: string) {
    keyOf(uriFor(key));
    await atomicWrite(this.pathFor(key), (tmp) => fs.copyFile(file, tmp));
    return uriFor(key);
  }
  async putBytes(key: string, bytes: Uint8Array) {
    keyOf(uriFor(key));
    await atomicWrite(this.pathFor(key), (tmp) => fs.writeFile(tmp, bytes));
    return uriFor(key);
  }
  async putParts(key: string, parts: Uint8Array[]) {
    keyOf(uriFor(key));
    await atomicWrite(this.pathFor(key), async (tmp) => {
      const file = await fs.open(tmp, "w");
      try {
        // A write may take fewer bytes than asked (over 2 GB a call): the rest follows from where it stopped.
        const rest = parts.filter((p) => p.byteLength > 0);
        while (rest.length) {
          let { bytesWritten } = await file.writev(rest.slice(0, 512));
          if (bytesWritten <= 0) throw new Error(`writing ${key}: no bytes written`);
          while (rest.length && bytesWritten >= rest[0]!.byteLength) bytesWritten -= rest.shift()!.byteLength;
          if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
        }
      } finally {
        await file.close();
      }
    });
    return uriFor(key);
  }
  async localPath(uri: string) {
    const p = this.pathFor(keyOf(uri));
    await fs.access(p);
    return p;
  }
  getBytes(uri: string) {
    return fs.readFile(this.pathFor(keyOf(uri)));
  }
  async identity(uri: string) {
    const st = await fs.stat(this.pathFor(keyOf(uri)), { bigint: true }).catch(() => null);
    return st && `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  }
  scratchDir() {
    return newScratchDir(path.join(this.root, ".scratch"));
  }
  async groups(top: string) {
    checkGroup(top, "x");
    const dir = path.join(this.root, top);
    const out: { name: string; writtenAt: Date }[] = [];
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!e.isDirectory() || !GROUP.test(e.name)) continue;
      const { newest } = await treeStats(path.join(dir, e.name));
      out.push({ name: e.name, writtenAt: new Date(newest || (await fs.stat(path.join(dir, e.name))).mtimeMs) });
    }
    return out;
  }
  async removeGroup(top: string, name: string) {
    checkGroup(top, name);
    const dir = path.join(this.root, top, name);
    const { bytes } = await treeStats(dir);
    await fs.rm(dir, { recursive: true, force: true });
    return bytes;
  }
}

export class PostgresArtifactStore implements ArtifactStore {
  readonly kind = "postgres";
  constructor(
    private readonly db: Db,
    private readonly cacheDir: string,
  ) {}

  async putFile(key: string, file: string) {
    return this.putBytes(key, await fs.readFile(file));
  }
  putParts(key: string, parts: Uint8Array[]) {
    return this.putBytes(key, Buffer.concat(parts));
  }
  async putBytes(key: string, bytes: Uint8Array) {
    keyOf(uriFor(key));
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await this.db
      .insert(artifacts)
      .values({ key, data, size: data.length })
      .onConflictDoUpdate({ target: artifacts.key, set: { data, size: data.length, createdAt: new Date() } });
    return uriFor(key);
  }
  async getBytes(uri: string) {
    const key = keyOf(uri);
    const [row] = await this.db.select({ data: artifacts.data }).from(artifacts).where(eq(artifacts.key, key));
    if (!row) throw new Error(`artifact not found: ${uri}`);
    return row.data;
  }
  /** Workers on other machines may rewrite a key: nothing cheap tells this process. */
  async identity(_uri: string) {
    return null;
  }
  async localPath(uri: string) {
    const target = path.join(this.cacheDir, keyOf(uri));
    try {
      await fs.access(target);
      return target;
    } catch {
      const bytes = await this.getBytes(uri);
      await atomicWrite(target, (tmp) => fs.writeFile(tmp, bytes));
      return target;
    }
  }
  async groups(top: string) {
    checkGroup(top, "x");
    const rows = await this.db.execute<{ name: string; written_at: Date | string }>(
      sql`select split_part(key, '/', 2) as name, max(created_at) as written_at from artifact where starts_with(key, ${`${top}/`}) group by 1`,
    );
    return [...rows].filter((r) => GROUP.test(r.name)).map((r) => ({ name: r.name, writtenAt: new Date(r.written_at) }));
  }
  async removeGroup(top: string, name: string) {
    checkGroup(top, name);
    const rows = await this.db.execute<{ size: string | number }>(sql`delete from artifact where starts_with(key, ${`${top}/${name}/`}) returning size`);
    await fs.rm(path.join(this.cacheDir, top, name), { recursive: true, force: true });
    return [...rows].reduce((n, r) => n + Number(r.size), 0);
  }
  scratchDir() {
    return newScratchDir(path.join(this.cacheDir, ".scratch"));
  }
}
