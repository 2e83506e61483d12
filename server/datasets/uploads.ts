/**
 * Staged uploads: a file (uploaded, or downloaded from a URL) kept under `.data/uploads/<id>/`
 * while the user looks at its preview and decides kinds and roles; saving it as a dataset
 * consumes it. Each belongs to a workspace; stale ones are removed after UPLOAD_RETENTION_HOURS.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "~/lib/env";
import { NotFoundError } from "~/lib/errors";
import type { CsvOptions, Preview, SourceFormat } from "~/lib/pipeline/ingest";
import { detectFormat, previewFile } from "~/workflows/data/ingest";
import { downloadToFile } from "~/workflows/data/ingest/download";
import { saveBody } from "../http/body";
import { formatOfContentType } from "./requests";
import { isUuid } from "../http/errors";

export interface StagedUpload {
  id: string;
  workspaceId: string;
  createdBy: string | null;
  createdAt: string;
  filename: string;
  format: SourceFormat;
  size: number;
  url?: string;
}

const root = () => path.join(env().dataDir, "uploads");
const dirOf = (id: string) => path.join(root(), id);
export const fileOf = (u: StagedUpload) => path.join(dirOf(u.id), "file");

async function stage(
  workspaceId: string,
  createdBy: string | null,
  fill: (file: string) => Promise<{ size: number; filename: string; url?: string }>,
  declared: SourceFormat | null = null,
): Promise<StagedUpload> {
  const id = randomUUID();
  const dir = dirOf(id);
  await fs.promises.mkdir(dir, { recursive: true });
  try {
    const { size, filename, url } = await fill(path.join(dir, "file"));
    const meta: StagedUpload = { id, workspaceId, createdBy, createdAt: new Date().toISOString(), filename, format: declared ?? (await detectFormat(path.join(dir, "file"), filename)), size, ...(url ? { url } : {}) };
    await fs.promises.writeFile(path.join(dir, "meta.json"), JSON.stringify(meta));
    return meta;
  } catch (e) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Streams a request body into a new staged upload (never whole into memory). A content type that
 * names a format (text/csv, Parquet, NDJSON) is taken at its word; any other is sniffed.
 */
export function stageBody(req: Request, workspaceId: string, createdBy: string | null, filename: string) {
  const declared = formatOfContentType(req.headers.get("content-type") ?? "");
  return stage(workspaceId, createdBy, async (file) => ({ size: await saveBody(req, file, env().MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES"), filename }), declared);
}

/** Downloads a URL into a new staged upload (https, size and time limits, private addresses refused). */
export function stageUrl(url: string, workspaceId: string, createdBy: string | null, signal?: AbortSignal) {
  return stage(workspaceId, createdBy, async (file) => ({ ...(await downloadToFile(url, file, signal)), url }));
}

/** A staged upload by id, or undefined (unknown, removed, or not an id at all). */
export async function findUpload(id: string | undefined): Promise<StagedUpload | undefined> {
  if (!isUuid(id)) return undefined;
  try {
    return JSON.parse(await fs.promises.readFile(path.join(dirOf(id), "meta.json"), "utf8")) as StagedUpload;
  } catch {
    return undefined;
  }
}

/** The upload of this workspace, or a 404 (another workspace's upload does not exist for the caller). */
export async function uploadIn(workspaceId: string, id: string): Promise<StagedUpload> {
  const u = await findUpload(id);
  if (!u || u.workspaceId !== workspaceId) throw new NotFoundError(`upload ${id} not found (uploads are kept ${env().UPLOAD_RETENTION_HOURS} h)`);
  return u;
}

/** Options as one string whatever the order their fields came in. */
const optionsKey = (options: CsvOptions = {}) => JSON.stringify(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The upload's preview (with these options); the latest is kept with it, for saving it without reading it all over again. */
export async function previewUpload(u: StagedUpload, scratchDir: string, options: CsvOptions = {}): Promise<Preview & { upload: StagedUpload }> {
  const preview = await previewFile(fileOf(u), u.format, scratchDir, options);
  // Best effort, and whole or not at all (written aside, then renamed): without it, saving infers again.
  const kept = path.join(dirOf(u.id), "preview.json");
  const aside = `${kept}.${randomUUID()}`;
  await fs.promises
    .writeFile(aside, JSON.stringify({ options: optionsKey(options), preview }))
    .then(() => fs.promises.rename(aside, kept))
    .catch(() => fs.promises.rm(aside, { force: true }));
  return { upload: u, ...preview };
}

/** The last preview of an upload if it was made with these options (importFile still checks that it applies). */
export async function lastPreview(u: StagedUpload, options: CsvOptions = {}): Promise<Preview | undefined> {
  try {
    const kept = JSON.parse(await fs.promises.readFile(path.join(dirOf(u.id), "preview.json"), "utf8")) as { options: string; preview: Preview };
    return kept.options === optionsKey(options) ? kept.preview : undefined;
  } catch {
    return undefined;
  }
}

export const removeUpload = (id: string) => fs.promises.rm(dirOf(id), { recursive: true, force: true });

/** Removes staged uploads older than the retention; returns how many. */
export async function removeStaleUploads(now = Date.now()): Promise<number> {
  const limit = env().UPLOAD_RETENTION_HOURS * 3600_000;
  let removed = 0;
  for (const id of await fs.promises.readdir(root()).catch(() => [] as string[])) {
    const stat = await fs.promises.stat(dirOf(id)).catch(() => null);
    if (stat && now - stat.mtimeMs > limit) {
      await removeUpload(id);
      removed++;
    }
  }
  return removed;
}
