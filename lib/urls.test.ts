import { describe, expect, it } from "vitest";
import { safeNext } from "./urls";

describe("safeNext", () => {
  it("keeps paths on this site, with their query", () => {
    expect(safeNext("/pipelines")).toBe("/pipelines");
    expect(safeNext("/runs?pipeline=abc")).toBe("/runs?pipeline=abc");
    expect(safeNext("/invite/inv_x-y")).toBe("/invite/inv_x-y");
  });

  it("turns anything that could lead elsewhere into /", () => {
    for (const bad of ["//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example", "evil.example", "javascript:alert(1)", "", null, undefined, "/%09/evil.example"]) {
      const out = safeNext(bad);
      expect(new URL(out, "https://millrace.example").origin, String(bad)).toBe("https://millrace.example");
      if (bad !== "/%09/evil.example") expect(out).toBe("/");
    }
  });
});
