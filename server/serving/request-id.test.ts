import { describe, expect, it } from "vitest";
import { requestId } from "./request-id";

describe("requestId", () => {
  it("is a UUIDv7 carrying its time, version 7 and the RFC 9562 variant", () => {
    const ms = Date.UTC(2026, 10, 27, 13, 30, 0, 123);
    const id = requestId(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
  });

  it("is unique across pool refills, and ordered by time", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(requestId(1_700_000_000_000));
    expect(ids.size).toBe(5000);
    expect(requestId(1_700_000_000_000) < requestId(1_700_000_000_001)).toBe(true);
    expect(requestId(0).startsWith("00000000-0000-7")).toBe(true);
  });
});
