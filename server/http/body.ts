/**
 * Request bodies, bounded before they are read: a declared Content-Length over the limit is
 * refused at once, and a streamed (chunked) body is cut off the moment it passes the limit, so
 * memory never depends on what a client sends.
 */
import { isUtf8 } from "node:buffer";
import fs from "node:fs";
import { env } from "~/lib/env";
import { ClientClosedError, InvalidError, TooLargeError, UnsupportedMediaTypeError } from "~/lib/errors";

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

function tooLarge(limit: number, setting: string) {
  return new TooLargeError(`the body is larger than ${mib(limit)} (${setting})`, { limit });
}

function checkDeclaredLength(req: Request, limit: number, setting: string) {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, setting);
}

/** The next chunk of a body; a body stream only fails when the client went away. */
async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>) {
  try {
    return await reader.read();
  } catch {
    throw new ClientClosedError("the client closed the request before sending all of it");
  }
}

/** Reads the whole body into memory, refusing more than `limit` bytes. */
export async function readBody(req: Request, limit: number, setting: string): Promise<Uint8Array> {
  checkDeclaredLength(req, limit, setting);
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await nextChunk(reader);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit, setting);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Streams the body into `file`, refusing more than `limit` bytes (the partial file is removed). */
export async function saveBody(req: Request, file: string, limit: number, setting: string): Promise<number> {
  checkDeclaredLength(req, limit, setting);
  const out = fs.createWriteStream(file);
  let size = 0;
  try {
    if (req.body) {
      const reader = req.body.getReader();
      for (;;) {
        const { done, value } = await nextChunk(reader);
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel();
          throw tooLarge(limit, setting);
        }
        if (!out.write(value)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return size;
  } catch (e) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    throw e;
  }
}

/** JSON nested deeper than this is refused before anything walks it recursively. */
const MAX_JSON_DEPTH = 64;

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** The body as text, refusing invalid UTF-8 and nesting deeper than MAX_JSON_DEPTH. */
export function jsonText(bytes: Uint8Array): string {
  // Validated, then decoded (both native and fast; a fatal TextDecoder made per request cost more
  // than the rest of reading a small body). A leading byte-order mark is dropped, as TextDecoder does.
  if (!isUtf8(bytes)) throw new InvalidError("the body is not valid UTF-8");
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (depthOf(text) > MAX_JSON_DEPTH) throw new InvalidError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  return text;
}

/**
 * Reads a JSON body: 415 for another content type, 413 above `limit`, 400 for malformed JSON,
 * invalid UTF-8 or nesting deeper than MAX_JSON_DEPTH.
 */
async function readJson(req: Request, limit: number, setting: string): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new UnsupportedMediaTypeError(`expected content-type application/json, got ${type || "none"}`);
  }
  const text = jsonText(await readBody(req, limit, setting));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidError(`body is not valid JSON: ${(e as Error).message}`);
  }
}

/** A JSON body within MAX_JSON_BYTES. */
export const readJsonBody = (req: Request) => readJson(req, env().MAX_JSON_BYTES, "MAX_JSON_BYTES");
