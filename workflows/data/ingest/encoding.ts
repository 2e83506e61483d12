/**
 * Text encodings of uploaded files. DuckDB reads UTF-8; anything else is transcoded to UTF-8
 * first, streaming (memory bounded whatever the size). Detection: a byte-order mark says UTF-8 or
 * UTF-16; UTF-16 without one shows as zero bytes in every other position; otherwise a file that
 * is valid UTF-8 from start to end is UTF-8, and anything else is read as Windows-1252 (a superset
 * of Latin-1's printable characters, which is what spreadsheets on Windows write).
 */
import { isUtf8 as isValidUtf8 } from "node:buffer";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";

import type { Encoding } from "~/lib/pipeline/ingest";

/** The names people and tools use for an encoding, as Millrace's own. */
export function parseEncoding(name: string): Encoding | undefined {
  const n = name.trim().toLowerCase().replace(/_/g, "-");
  if (["utf-8", "utf8", "utf-8-sig"].includes(n)) return "utf-8";
  if (["utf-16", "utf16", "utf-16le", "utf16le"].includes(n)) return "utf-16le";
  if (["utf-16be", "utf16be"].includes(n)) return "utf-16be";
  if (["windows-1252", "cp1252", "win1252"].includes(n)) return "windows-1252";
  if (["latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"].includes(n)) return "latin-1";
  return undefined;
}

async function head(file: string, bytes: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Where the last whole character of `b` ends: before a final multi-byte sequence the chunk cuts
 * short (its bytes are checked with the next chunk's), else at the end.
 */
export function wholeCharactersEnd(b: Uint8Array): number {
  let i = b.length - 1;
  while (i >= 0 && b.length - i < 4 && (b[i]! & 0xc0) === 0x80) i--;
  if (i < 0 || (b[i]! & 0xc0) === 0x80) return b.length; // no lead byte near the end: invalid, let the check say so
  const lead = b[i]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + length > b.length ? i : b.length;
}

/** Whether the whole file is valid UTF-8 (one streaming pass, validated natively chunk by chunk). */
async function isUtf8(file: string): Promise<boolean> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const read of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const chunk = carry.length ? Buffer.concat([carry, read as Buffer]) : (read as Buffer);
    const end = wholeCharactersEnd(chunk);
    if (!isValidUtf8(chunk.subarray(0, end))) return false;
    carry = chunk.subarray(end);
  }
  return carry.length === 0;
}

export async function detectEncoding(file: string): Promise<Encoding> {
  const start = await head(file, 4096);
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return "utf-8";
  if (start[0] === 0xff && start[1] === 0xfe) return "utf-16le";
  if (start[0] === 0xfe && start[1] === 0xff) return "utf-16be";
  // UTF-16 without a mark: ASCII text has a zero in every other byte.
  const pairs = Math.floor(Math.min(start.length, 1024) / 2);
  if (pairs >= 4) {
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < pairs; i++) {
      if (start[2 * i] === 0) evenZero++;
      if (start[2 * i + 1] === 0) oddZero++;
    }
    if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return "utf-16le";
    if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return "utf-16be";
  }
  return (await isUtf8(file)) ? "utf-8" : "windows-1252";
}

/** The encoding's decoder; Latin-1 and Windows-1252 differ only in 0x80–0x9F, where Latin-1 has control codes. */
const decoderLabel: Record<Encoding, string> = { "utf-8": "utf-8", "utf-16le": "utf-16le", "utf-16be": "utf-16be", "windows-1252": "windows-1252", "latin-1": "iso-8859-1" };

/**
 * A UTF-8 copy of `file` at `out` (without a byte-order mark), or `file` itself when it is UTF-8
 * already. Returns the path DuckDB should read.
 */
export async function toUtf8(file: string, encoding: Encoding, out: string): Promise<string> {
  if (encoding === "utf-8") return file;
  const decoder = new TextDecoder(decoderLabel[encoding]);
  await pipeline(
    fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        done(null, Buffer.from(decoder.decode(chunk, { stream: true }), "utf8"));
      },
      flush(done) {
        done(null, Buffer.from(decoder.decode(), "utf8"));
      },
    }),
    fs.createWriteStream(out),
  );
  return out;
}
