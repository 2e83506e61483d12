import { describe, expect, it } from "vitest";
import { ClientClosedError, InvalidError, TooLargeError, UnsupportedMediaTypeError } from "~/lib/errors";
import { jsonText, readBody, readJsonBody } from "./body";

/** A request whose body arrives in chunks, as a chunked upload does; optionally cut off mid-way. */
function streamed(chunks: Uint8Array[], opts: { fail?: boolean; headers?: Record<string, string> } = {}) {
  let i = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else if (opts.fail) controller.error(new TypeError("terminated"));
      else controller.close();
    },
  });
  const req = new Request("http://localhost/x", { method: "POST", body, headers: opts.headers, duplex: "half" } as RequestInit);
  return { req, pulled: () => pulled };
}

const mib = new Uint8Array(1024 * 1024);

describe("bounded bodies", () => {
  it("stops reading a chunked body the moment it passes the limit", async () => {
    const { req, pulled } = streamed(Array.from({ length: 100 }, () => mib));
    await expect(readBody(req, 3 * 1024 * 1024, "MAX_JSON_BYTES")).rejects.toThrow("the body is larger than 3 MiB (MAX_JSON_BYTES)");
    expect(pulled()).toBeLessThan(10);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const { req, pulled } = streamed([mib], { headers: { "content-length": String(50 * 1024 * 1024) } });
    await expect(readBody(req, 1024, "MAX_JSON_BYTES")).rejects.toBeInstanceOf(TooLargeError);
    expect(pulled()).toBeLessThanOrEqual(1);
  });

  it("calls a body cut off by the client a client-closed request, not a server error", async () => {
    const { req } = streamed([new Uint8Array([1, 2, 3])], { fail: true });
    await expect(readBody(req, 1024, "MAX_JSON_BYTES")).rejects.toBeInstanceOf(ClientClosedError);
  });

  it("refuses invalid UTF-8, deep nesting and a wrong content type with their reasons", async () => {
    expect(() => jsonText(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(new InvalidError("the body is not valid UTF-8"));
    // A byte-order mark is dropped; text after it, multi-byte characters included, is kept.
    expect(JSON.parse(jsonText(Buffer.from('\ufeff{"city":"Zürich"}', "utf8")))).toEqual({ city: "Zürich" });
    expect(() => jsonText(new TextEncoder().encode(`${"[".repeat(65)}${"]".repeat(65)}`))).toThrow("the body nests deeper than 64 levels");
    // Brackets inside strings are not nesting.
    expect(jsonText(new TextEncoder().encode(JSON.stringify({ s: "[".repeat(500) })))).toContain("[[[");
    const plain = new Request("http://localhost/x", { method: "POST", body: "{}", headers: { "content-type": "text/plain" } });
    await expect(readJsonBody(plain)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });
});
