import { v4, v7 } from "uuid";
import { describe, expect, it } from "vitest";
import { loggedBetween, requestIdTime } from "./feedback";

describe("request ids carry their time", () => {
  it("reads a UUIDv7's milliseconds and nothing from other versions", () => {
    expect(requestIdTime(v7({ msecs: 1_790_000_000_123 }))).toBe(1_790_000_000_123);
    expect(requestIdTime("0192f1a4-8d3b-7c1e-9a2b-3c4d5e6f7a8b")).toBe(0x0192f1a48d3b);
    expect(requestIdTime(v4())).toBeNull();
  });

  it("bounds the log's times by the ids' times, or not at all for a random id among them", () => {
    const a = v7({ msecs: Date.UTC(2026, 0, 1, 12) });
    const b = v7({ msecs: Date.UTC(2026, 0, 2, 12) });
    expect(loggedBetween([b, a])).toEqual({ from: "2026-01-01T11:59:00.000Z", to: "2026-01-02T12:10:00.000Z" });
    expect(loggedBetween([a, v4()])).toEqual({ from: "-infinity", to: "infinity" });
  });
});
