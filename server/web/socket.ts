import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Linux caps a Unix socket's path at 107 bytes; a deep data directory falls back to the temp dir. */
const MAX_SOCKET_PATH = 100;

/**
 * Where the app process (Next) listens for the web process: `app.sock` in the data directory, or,
 * when that path is too long for a socket, in a directory of this user's own under the temp dir
 * (named after the data directory, so both processes find it).
 */
export function appSocketPath(dataDir: string): string {
  const inDataDir = path.join(dataDir, "app.sock");
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) return inDataDir;
  const owner = process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `millrace-${owner}-${createHash("sha256").update(dataDir).digest("hex").slice(0, 16)}`);
  return path.join(dir, "app.sock");
}

/**
 * `appSocketPath`, with the temp-dir fallback's directory made (mode 0700) and checked to be this
 * user's own and private — in a shared temp dir, another user could otherwise put a socket of
 * theirs where the web process sends sessions and passwords.
 */
export function privateAppSocketPath(dataDir: string): string {
  const socket = appSocketPath(dataDir);
  if (socket === path.join(dataDir, "app.sock")) return socket;
  const dir = path.dirname(socket);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user; remove it, or use a shorter MILLRACE_DATA_DIR`);
  }
  return socket;
}
