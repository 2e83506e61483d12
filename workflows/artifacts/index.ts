import path from "node:path";
import { db } from "~/db/client";
import { env } from "~/lib/env";
import { cleanStaleScratch, FsArtifactStore, PostgresArtifactStore, type ArtifactStore } from "./store";

export type { ArtifactStore } from "./store";

const g = globalThis as unknown as { __millraceArtifacts?: ArtifactStore };

/** The process's artifact store, chosen by ARTIFACT_STORE. */
export function artifactStore(): ArtifactStore {
  if (!g.__millraceArtifacts) {
    const e = env();
    const root = path.join(e.dataDir, e.ARTIFACT_STORE === "postgres" ? "artifact-cache" : "artifacts");
    g.__millraceArtifacts = e.ARTIFACT_STORE === "postgres" ? new PostgresArtifactStore(db(), root) : new FsArtifactStore(root);
    // Whatever a killed process left in scratch space goes when the next one starts.
    void cleanStaleScratch(root).catch(() => {});
  }
  return g.__millraceArtifacts;
}
