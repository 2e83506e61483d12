import path from "node:path";
import { db } from "~/db/client";
import { env } from "~/lib/env";
import { FsArtifactStore, PostgresArtifactStore, type ArtifactStore } from "./store";

export type { ArtifactStore } from "./store";

const g = globalThis as unknown as { __millraceArtifacts?: ArtifactStore };

/** The process's artifact store, chosen by ARTIFACT_STORE. */
export function artifactStore(): ArtifactStore {
  if (!g.__millraceArtifacts) {
    const e = env();
    g.__millraceArtifacts =
      e.ARTIFACT_STORE === "postgres"
        ? new PostgresArtifactStore(db(), path.join(e.dataDir, "artifact-cache"))
        : new FsArtifactStore(path.join(e.dataDir, "artifacts"));
  }
  return g.__millraceArtifacts;
}
