import { describe, expect, it } from "vitest";
import { isCount, lowerIsBetter } from "./metrics";

describe("which way a metric is better", () => {
  it("knows losses and errors from scores, and counts from both", () => {
    expect(["rmse", "mae", "log_loss", "brier", "train_seconds", "oob_rmse"].filter(lowerIsBetter)).toHaveLength(6);
    expect(["accuracy", "roc_auc", "r2", "f1_macro", "recall_weighted"].some(lowerIsBetter)).toBe(false);
    expect(["test_rows", "trees", "train_rows"].every(isCount)).toBe(true);
    expect(isCount("accuracy")).toBe(false);
  });
});
