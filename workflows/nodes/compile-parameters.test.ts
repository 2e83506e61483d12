import { describe, expect, it } from "vitest";
import { pipelineDocumentSchema, type ColumnSchema, type PipelineGraph } from "~/lib/pipeline/document";
import { coerceValue } from "~/lib/pipeline/parameters";
import { demoPipeline } from "~/lib/templates/demo";
import { demoColumns } from "./testing";
import { compile } from "./compile";

const columns = demoColumns;
const other: ColumnSchema[] = [...columns, { name: "extra", type: "number", nullable: false }];
const ctx = { datasetColumns: (id: string) => (id === "ds" ? columns : id === "ds2" ? other : undefined) };

/** The demo with its dataset, tree count and target taken from parameters. */
function parametrised(): PipelineGraph {
  const g = structuredClone(demoPipeline("ds")) as PipelineGraph;
  g.parameters = [
    { name: "data", type: "dataset", default: "ds" },
    { name: "trees", type: "integer", default: 50, min: 1, max: 500 },
    { name: "target", type: "string", default: "target" },
  ];
  g.nodes.find((n) => n.id === "ingest")!.config = { datasetId: { $param: "data" } };
  const train = g.nodes.find((n) => n.id === "train")!;
  train.config = { ...train.config, nEstimators: { $param: "trees" }, target: { $param: "target" } };
  return g;
}
const planned = (res: ReturnType<typeof compile>, id: string) => res.plan!.find((n) => n.id === id)!.config;

describe("run parameters", () => {
  it("binds defaults, and chosen values where given, into the plan: executors see plain values", () => {
    const byDefault = compile(parametrised(), ctx);
    expect(byDefault.errors).toEqual([]);
    expect(planned(byDefault, "ingest").datasetId).toBe("ds");
    expect(planned(byDefault, "train")).toMatchObject({ nEstimators: 50, target: "target" });
    expect(byDefault.parameters).toEqual({ data: "ds", trees: 50, target: "target" });

    const chosen = compile(parametrised(), { ...ctx, parameters: { trees: 300, data: "ds2" } });
    expect(chosen.errors).toEqual([]);
    expect(planned(chosen, "train").nEstimators).toBe(300);
    expect(planned(chosen, "ingest").datasetId).toBe("ds2");
    // Column inference follows the chosen dataset.
    expect(chosen.columns.ingest?.dataset?.map((c) => c.name)).toContain("extra");
    expect(chosen.parameters).toEqual({ data: "ds2", trees: 300, target: "target" });
  });

  it("names the parameter whose value is out of range, of the wrong type or undeclared", () => {
    const res = compile(parametrised(), { ...ctx, parameters: { trees: 501, target: 3, nope: 1 } });
    expect(res.plan).toBeUndefined();
    expect(res.errors).toEqual(
      expect.arrayContaining([
        { nodeId: null, path: "parameters.trees", message: "parameter 'trees' must be at most 500" },
        { nodeId: null, path: "parameters.target", message: "parameter 'target' must be text" },
        { nodeId: null, path: "parameters.nope", message: "the pipeline has no parameter 'nope'" },
      ]),
    );
    expect(compile(parametrised(), { ...ctx, parameters: { trees: 2.5 } }).errors).toContainEqual({ nodeId: null, path: "parameters.trees", message: "parameter 'trees' must be a whole number" });
  });

  it("lets the node judge a value its own schema refuses, and says it came from the parameter", () => {
    const g = parametrised();
    g.parameters![1] = { name: "trees", type: "integer", default: 50 };
    const res = compile(g, { ...ctx, parameters: { trees: 0 } });
    const err = res.errors.find((e) => e.nodeId === "train" && e.path === "config.nEstimators");
    expect(err?.message).toMatch(/\(the value of parameter 'trees'\)$/);
    // A target column the dataset lacks is named by the node's inference, with the parameter.
    const bad = compile(parametrised(), { ...ctx, parameters: { target: "nope" } });
    expect(bad.errors.find((e) => e.nodeId === "train" && e.path === "config.target")?.message).toMatch(/nope.*\(the value of parameter 'target'\)/);
  });

  it("refuses a reference to a parameter the pipeline does not declare, on the node's field", () => {
    const g = parametrised();
    g.nodes.find((n) => n.id === "split")!.config = { testFraction: { $param: "fraction" } };
    expect(compile(g, ctx).errors).toContainEqual({ nodeId: "split", path: "config.testFraction", message: "refers to parameter 'fraction', which the pipeline does not declare" });
  });

  it("checks declarations: names, duplicates and defaults", () => {
    const doc = { ...parametrised(), name: "p" };
    expect(pipelineDocumentSchema.safeParse(doc).success).toBe(true);
    const twice = { ...doc, parameters: [...doc.parameters!, { name: "trees", type: "integer", default: 3 }] };
    expect(pipelineDocumentSchema.safeParse(twice).error?.issues[0]?.message).toBe("parameter 'trees' is declared twice");
    const badDefault = { ...doc, parameters: [{ name: "n", type: "integer", default: 0, min: 1 }] };
    expect(pipelineDocumentSchema.safeParse(badDefault).error?.issues[0]?.message).toBe("the default of 'n' must be at least 1");
    expect(pipelineDocumentSchema.safeParse({ ...doc, parameters: [{ name: "1st", type: "string", default: "" }] }).success).toBe(false);
    // The compiler (the canvas) says the same before a save.
    expect(compile({ ...doc, parameters: [{ name: "x", type: "number", default: 1 }, { name: "x", type: "number", default: 2 }] }, ctx).errors).toContainEqual({ nodeId: null, path: "parameters.x", message: "parameter 'x' is declared twice" });
  });

  it("reads form and query-string text as the parameter's type", () => {
    expect(coerceValue("integer", "300")).toBe(300);
    expect(coerceValue("number", "0.25")).toBe(0.25);
    expect(coerceValue("number", "")).toBe("");
    expect(coerceValue("number", "abc")).toBe("abc");
    expect(coerceValue("boolean", "true")).toBe(true);
    expect(coerceValue("boolean", "yes")).toBe("yes");
    expect(coerceValue("string", "300")).toBe("300");
  });
});
