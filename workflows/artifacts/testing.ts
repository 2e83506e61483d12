/** A throwaway filesystem artifact store for unit tests. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FsArtifactStore } from "./store";

export function tempStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-unit-"));
  return { store: new FsArtifactStore(dir), dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
