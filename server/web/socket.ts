import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";

/** Linux caps a Unix socket's path at 107 bytes; a deep data directory falls back to the temp dir. */
const MAX_SOCKET_PATH = 100;

/** Where the app process (Next) listens for the front process: in the data directory, one per directory. */
export function appSocketPath(dataDir: string): string {
  const inDataDir = path.join(dataDir, "app.sock");
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH) return inDataDir;
  return path.join(os.tmpdir(), `millrace-app-${createHash("sha256").update(dataDir).digest("hex").slice(0, 16)}.sock`);
}
