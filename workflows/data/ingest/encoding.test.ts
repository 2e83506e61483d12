import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectEncoding, wholeCharactersEnd } from "./encoding";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "encoding-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const detect = (bytes: Buffer) => {
  const file = path.join(dir, `${n++}.csv`);
  fs.writeFileSync(file, bytes);
  return detectEncoding(file);
};
/** A file of `size` bytes of ASCII with `tail` at its end (so the tail can straddle the 1 MiB read chunks). */
const padded = (size: number, tail: Buffer, after = Buffer.alloc(0)) => Buffer.concat([Buffer.alloc(size - tail.length, "a"), tail, after]);

describe("encoding detection", () => {
  it("finds where a chunk's last whole character ends", () => {
    const euro = Buffer.from("€"); // e2 82 ac
    expect(wholeCharactersEnd(Buffer.from("ab"))).toBe(2);
    expect(wholeCharactersEnd(Buffer.concat([Buffer.from("a"), euro]))).toBe(4);
    expect(wholeCharactersEnd(Buffer.concat([Buffer.from("a"), euro.subarray(0, 2)]))).toBe(1);
    expect(wholeCharactersEnd(Buffer.concat([Buffer.from("a"), euro.subarray(0, 1)]))).toBe(1);
    const emoji = Buffer.from("😀"); // four bytes
    expect(wholeCharactersEnd(Buffer.concat([Buffer.from("a"), emoji.subarray(0, 3)]))).toBe(1);
    expect(wholeCharactersEnd(Buffer.concat([Buffer.from("a"), emoji]))).toBe(5);
  });

  it("reads a character cut by the 1 MiB read chunks as UTF-8, whichever byte the cut falls after", async () => {
    for (const char of ["é", "€", "😀"]) {
      const bytes = Buffer.from(char);
      for (let cut = 1; cut < bytes.length; cut++) {
        expect(await detect(padded(1 << 20, bytes.subarray(0, cut), Buffer.concat([bytes.subarray(cut), Buffer.from(",1\n")])))).toBe("utf-8");
      }
    }
  });

  it("reads a file whose last character is cut short, or with a Latin-1 byte past the first chunk, as Windows-1252", async () => {
    expect(await detect(padded(3 << 20, Buffer.from("€").subarray(0, 2)))).toBe("windows-1252");
    expect(await detect(padded(1 << 20, Buffer.from([0x43, 0x61, 0x66, 0xe9]), Buffer.from(",2\n")))).toBe("windows-1252");
    expect(await detect(padded((1 << 20) + 10, Buffer.from([0xe9, 0x2c])))).toBe("windows-1252");
    expect(await detect(Buffer.from("a,b\nCaf\u00e9,1\n"))).toBe("utf-8");
  });
});
