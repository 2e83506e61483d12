import { describe, expect, it } from "vitest";
import { spec } from "./spec";

const columns = [{ name: "a", type: "number" as const, nullable: false }];
const infer = (datasetId: string) =>
  spec.infer!({ config: spec.config.parse({ datasetId }), inputs: {}, datasetColumns: (id) => (id === "known" ? columns : undefined) });

describe("csv-dataset", () => {
  it("asks for a dataset, names one that does not exist, and passes on the columns of one that does", () => {
    expect(infer("")).toEqual({ errors: [{ path: "datasetId", message: "choose a dataset" }] });
    expect(infer("gone")).toEqual({ errors: [{ path: "datasetId", message: "dataset gone does not exist" }] });
    expect(infer("known")).toEqual({ outputs: { dataset: columns } });
  });
});
