/**
 * A binary bundle of typed arrays: 4-byte magic, little-endian u32 header length, a JSON
 * header, then each array 8-byte aligned. Used for forest files, binned training sets and
 * tree slices; decoding is a view per array (on a copy only when the bytes are not aligned or
 * the arrays must be shared with threads): the arrays share the bytes' memory.
 */
import type { FlatForest } from "./flat-forest";

const CTORS = { Int32Array, Int16Array, Uint16Array, Uint32Array, Float64Array, Uint8Array, Float32Array } as const;
type CtorName = keyof typeof CTORS;
export type TypedArray =
  | Int32Array<ArrayBufferLike>
  | Int16Array<ArrayBufferLike>
  | Uint16Array<ArrayBufferLike>
  | Uint32Array<ArrayBufferLike>
  | Float64Array<ArrayBufferLike>
  | Uint8Array<ArrayBufferLike>
  | Float32Array<ArrayBufferLike>;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The bundle as the parts of its bytes, in order: the magic, length and header (padded), then
 * each array's own memory (no copy) with the zeros that align the next. Written one after another
 * they are the file (a 140 MB forest is not copied into one buffer first); `encodeBundle` joins them.
 */
function bundleParts(magic: string, header: Record<string, unknown>, arrays: Record<string, TypedArray>): Uint8Array[] {
  const layout: { name: string; type: CtorName; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, arr] of Object.entries(arrays)) {
    offset = Math.ceil(offset / 8) * 8;
    layout.push({ name, type: arr.constructor.name as CtorName, offset, length: arr.length });
    offset += arr.byteLength;
  }
  const head = utf8.encode(JSON.stringify({ ...header, layout }));
  const first = new Uint8Array(Math.ceil((8 + head.length) / 8) * 8);
  for (let i = 0; i < 4; i++) first[i] = magic.padEnd(4).charCodeAt(i) & 0xff;
  new DataView(first.buffer).setUint32(4, head.length, true);
  first.set(head, 8);
  const parts: Uint8Array[] = [first];
  let at = 0;
  for (const l of layout) {
    if (l.offset > at) parts.push(new Uint8Array(l.offset - at));
    const arr = arrays[l.name]!;
    parts.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    at = l.offset + arr.byteLength;
  }
  return parts;
}

/** The parts of `bundleParts` as one buffer. */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Plain Uint8Array and DataView (no Node Buffer), so the format also reads in a browser. */
export function encodeBundle(magic: string, header: Record<string, unknown>, arrays: Record<string, TypedArray>): Uint8Array {
  return joinParts(bundleParts(magic, header, arrays));
}

const bundleMagic = (b: Uint8Array) => (b.length >= 8 ? String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) : "");

const headLengthOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);

/** Just the JSON header of a bundle, without copying its arrays. */
export function readBundleHeader<H>(magic: string, bytes: Uint8Array): H {
  if (bundleMagic(bytes) !== magic) throw new Error(`not a ${magic} file`);
  return JSON.parse(fromUtf8.decode(bytes.subarray(8, 8 + headLengthOf(bytes)))) as H;
}

export function decodeBundle<H>(
  magic: string,
  bytes: Uint8Array,
  opts: { shared?: boolean } = {},
): { header: H; arrays: Record<string, TypedArray> } {
  if (bundleMagic(bytes) !== magic) throw new Error(`not a ${magic} file`);
  const headLength = headLengthOf(bytes);
  const header = JSON.parse(fromUtf8.decode(bytes.subarray(8, 8 + headLength))) as H & {
    layout: { name: string; type: CtorName; offset: number; length: number }[];
  };
  const headerEnd = Math.ceil((8 + headLength) / 8) * 8;
  // A view per array: on `bytes` itself where its arrays are 8-byte aligned in memory (a file
  // read whole is), else — or when threads will read them (shared) — on one aligned copy.
  let buffer = bytes.buffer as ArrayBuffer;
  let start = bytes.byteOffset + headerEnd;
  if (opts.shared || start % 8 !== 0) {
    const size = bytes.length - headerEnd;
    const body = new Uint8Array(opts.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
    body.set(bytes.subarray(headerEnd));
    buffer = body.buffer as ArrayBuffer;
    start = 0;
  }
  // Within the bundle's own bytes (a view on `bytes.buffer` could otherwise reach past them).
  const body = bytes.length - headerEnd;
  for (const l of header.layout) {
    if (!(l.type in CTORS) || l.offset < 0 || l.offset + l.length * CTORS[l.type].BYTES_PER_ELEMENT > body) throw new Error(`damaged ${magic} file: array '${l.name}' lies outside it`);
  }
  const arrays: Record<string, TypedArray> = Object.fromEntries(header.layout.map((l) => [l.name, new CTORS[l.type](buffer, start + l.offset, l.length)]));
  return { header, arrays };
}

const FOREST = "MRF1";
const FOREST_ARRAYS = ["treeRoots", "feature", "threshold", "missingLeft", "left", "right", "leafValues", "importances"] as const;

/** A forest file as the parts of its bytes (see bundleParts). */
export const forestParts = (f: FlatForest, extra: Record<string, unknown> = {}): Uint8Array[] =>
  bundleParts(FOREST, { task: f.task, nClasses: f.nClasses, binnings: f.binnings, oobScore: f.oobScore, extra }, Object.fromEntries(FOREST_ARRAYS.map((k) => [k, f[k]])));

export const encodeForest = (f: FlatForest, extra: Record<string, unknown> = {}): Uint8Array => joinParts(forestParts(f, extra));

export const isForestFile = (b: Uint8Array) => bundleMagic(b) === FOREST;

/** The metadata stored beside a forest, without decoding its arrays. */
export const readForestExtra = (b: Uint8Array) => readBundleHeader<{ extra: Record<string, unknown> }>(FOREST, b).extra;

type ForestHeader = Pick<FlatForest, "task" | "nClasses" | "binnings" | "oobScore"> & { extra: Record<string, unknown>; layout?: unknown };
type ForestArrays = Pick<FlatForest, (typeof FOREST_ARRAYS)[number]>;

/** A forest from its file's header and its arrays. */
function forestOf({ extra, layout: _layout, ...meta }: ForestHeader, arrays: ForestArrays): { forest: FlatForest; extra: Record<string, unknown> } {
  return { forest: { ...meta, ...arrays }, extra };
}

/**
 * What `decodeForest` gives for the file `forestParts(f, …)` writes, from its first part (the
 * header, read back as a reader reads it) and `f`'s own arrays (the very bytes the file holds).
 */
export const forestAsRead = (head: Uint8Array, f: FlatForest) =>
  forestOf(readBundleHeader<ForestHeader>(FOREST, head), Object.fromEntries(FOREST_ARRAYS.map((k) => [k, f[k]])) as ForestArrays);

export function decodeForest(bytes: Uint8Array): { forest: FlatForest; extra: Record<string, unknown> } {
  const { header, arrays } = decodeBundle<ForestHeader>(FOREST, bytes);
  return forestOf(header, arrays as ForestArrays);
}
