/** A file answered as a download, streamed (never read into memory whole). */
export function fileResponse(file: { body: ReadableStream<Uint8Array>; size: number; filename: string; contentType: string }): Response {
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-length": String(file.size),
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "private, no-store",
    },
  });
}
