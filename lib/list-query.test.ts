import { describe, expect, it } from "vitest";
import { listQueryOf, searchAndSort } from "./list-query";

const items = [
  { name: "Churn model", rows: 10, at: 3 },
  { name: "churn (copy)", rows: 30, at: 1 },
  { name: "Demo", rows: 20, at: 2 },
];
const compare = { updated: (a: (typeof items)[0], b: (typeof items)[0]) => b.at - a.at, name: () => 0, rows: (a: (typeof items)[0], b: (typeof items)[0]) => b.rows - a.rows };

describe("list search and sort", () => {
  it("keeps the names that contain the text in any case, in the chosen order", () => {
    const q = listQueryOf({ q: "  CHURN ", sort: "rows" }, ["updated", "name", "rows"] as const);
    expect(q).toEqual({ q: "CHURN", sort: "rows" });
    expect(searchAndSort(items, q, compare).map((x) => x.name)).toEqual(["churn (copy)", "Churn model"]);
    expect(searchAndSort(items, { q: "", sort: "updated" }, compare).map((x) => x.name)).toEqual(["Churn model", "Demo", "churn (copy)"]);
    expect(searchAndSort(items, { q: "", sort: "name" }, compare).map((x) => x.name)).toEqual(["churn (copy)", "Churn model", "Demo"]);
    expect(searchAndSort(items, { q: "nothing", sort: "name" }, compare)).toEqual([]);
  });

  it("falls back to the first order for an unknown or repeated sort, and bounds the text", () => {
    expect(listQueryOf({ sort: "drop table" }, ["updated", "name"] as const).sort).toBe("updated");
    expect(listQueryOf({ sort: ["name", "updated"] }, ["updated", "name"] as const).sort).toBe("name");
    expect(listQueryOf({ q: "x".repeat(500) }, ["name"] as const).q).toHaveLength(200);
  });
});
