/** Files answered as downloads, streamed from disk (never read into memory whole). */
import fs from "node:fs";
import { Readable } from "node:stream";
import { InvalidError } from "~/lib/errors";

export type DownloadFormat = "csv" | "parquet";

export interface Download {
  body: ReadableStream<Uint8Array>;
  size: number;
  filename: string;
  contentType: string;
}

/** The `?format=` a download route was asked for: csv (the default) or parquet; anything else is a 400. */
export function downloadFormat(req: Request): DownloadFormat {
  const format = new URL(req.url).searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "parquet") throw new InvalidError(`format must be csv or parquet, got '${format.slice(0, 40)}'`);
  return format;
}

/** A CSV or Parquet file on disk as a download named `<base>.<format>`; `cleanup` runs once it is sent (or abandoned). */
export async function fileDownload(file: string, base: string, format: DownloadFormat, cleanup?: () => Promise<void>): Promise<Download> {
  const { size } = await fs.promises.stat(file);
  const stream = fs.createReadStream(file);
  if (cleanup) stream.once("close", () => void cleanup());
  return {
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
    size,
    filename: `${base.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120)}.${format}`,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet",
  };
}

export function fileResponse(file: Download): Response {
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "private, no-store",
    },
  });
}
