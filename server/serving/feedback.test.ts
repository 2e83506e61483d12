import { v4, v7 } from "uuid";
import { describe, expect, it } from "vitest";
import { labelClasses, loggedBetween, parseFeedback, requestIdTime } from "./feedback";
import type { Served } from "./table";

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

describe("feedback labels", () => {
  const id = v7();
  const variant = (classes: (string | number)[]) => ({ model: { file: { classes } } }) as unknown as Served["live"][number];
  const served = { task: "classification", live: [variant([0, 1])], shadows: [variant([1, 2])] } as unknown as Served;

  it("takes a class one of the endpoint's models (live or shadow) knows", () => {
    expect(labelClasses(served)).toEqual(new Set([0, 1, 2]));
    expect(parseFeedback({ feedback: [{ requestId: id, label: 0 }, { requestId: id, index: 1, label: 2 }] }, "number", labelClasses(served))).toEqual([
      { requestId: id, index: 0, label: 0 },
      { requestId: id, index: 1, label: 2 },
    ]);
  });

  it("refuses a label no model knows, naming the classes, and where it is in a batch", () => {
    expect(() => parseFeedback({ requestId: id, label: 7 }, "number", labelClasses(served))).toThrow("label 7 is not a class this endpoint's models know (0, 1, 2)");
    expect(() => parseFeedback({ feedback: [{ requestId: id, label: 1 }, { requestId: id, label: 0.5 }] }, "number", labelClasses(served))).toThrow(/^feedback\[1\]\.label 0\.5 is not a class/);
    expect(() => parseFeedback({ requestId: id, label: "1" }, "number", labelClasses(served))).toThrow("label must be a number");
  });

  it("takes any finite number for a regressor", () => {
    const regressor = { task: "regression", live: [], shadows: [] } as unknown as Served;
    expect(labelClasses(regressor)).toBeNull();
    expect(parseFeedback({ requestId: id, label: 12.5 }, "number", labelClasses(regressor))[0]!.label).toBe(12.5);
  });
});
