/** The serving edge's pure parts: routes, protocol shapes, the log's COPY lines, the accuracy interval. */
import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import type { Db } from "~/db/client";
import type { InputField } from "~/workflows/model/signature";
import { wilson } from "~/workflows/monitoring/live-scores";
import { matchServing } from "./http";
import { COPY_HEADER, copyBatches, logIds, PredictionLog } from "./prediction-log";
import { millraceBody, millraceJson } from "./http";
import { labelDatatype, mlflowRows, oipDatatype, oipOutputs, oipRows } from "./protocols";

describe("serving routes", () => {
  it("matches each protocol's paths with the method it takes, and leaves operating routes to the web app", () => {
    expect(matchServing("/api/v1/endpoints/churn/predict")).toEqual({ route: { kind: "predict", slug: "churn" }, method: "POST" });
    expect(matchServing("/api/v1/endpoints/churn/openapi.json")).toEqual({ route: { kind: "openapi", slug: "churn" }, method: "GET" });
    expect(matchServing("/v2/models/churn/versions/3/infer")).toEqual({ route: { kind: "infer", slug: "churn", version: "3" }, method: "POST" });
    expect(matchServing("/v2/models/churn/ready")).toEqual({ route: { kind: "model-ready", slug: "churn", version: undefined }, method: "GET" });
    expect(matchServing("/v2/health/ready")).toEqual({ route: { kind: "ready" }, method: "GET" });
    // Deploys, rollbacks and keys are the web app's (they need a signed-in user or an API token).
    expect(matchServing("/api/v1/endpoints/churn/deploy")).toBeNull();
    expect(matchServing("/api/v1/endpoints/churn/predict/extra")).toBeNull();
    expect(matchServing("/v2/models/churn/explain")).toBeNull();
    // A malformed escape names no endpoint; it must not throw (a throw here once left the request hanging).
    expect(matchServing("/api/v1/endpoints/%E0%A4%A/predict")).toEqual({ route: { kind: "predict", slug: "%E0%A4%A" }, method: "POST" });
    expect(matchServing("/v2/models/%ZZ")).toEqual({ route: { kind: "model", slug: "%ZZ", version: undefined }, method: "GET" });
  });
});

describe("MLflow's scoring formats", () => {
  const inputs: InputField[] = [
    { name: "a", type: "number", nullable: false },
    { name: "b", type: "string", nullable: false },
  ];
  it("reads split frames, records, positional arrays and columns into the same rows", () => {
    const want = { rows: [{ a: 1, b: "x" }, { a: 2, b: "y" }], batch: true };
    expect(mlflowRows({ dataframe_split: { columns: ["a", "b"], data: [[1, "x"], [2, "y"]] } }, inputs)).toEqual(want);
    expect(mlflowRows({ dataframe_records: want.rows }, inputs)).toEqual(want);
    expect(mlflowRows({ instances: [[1, "x"], [2, "y"]] }, inputs)).toEqual(want);
    expect(mlflowRows({ inputs: { a: [1, 2], b: ["x", "y"] } }, inputs)).toEqual(want);
  });
  it("names what is wrong", () => {
    expect(mlflowRows({ inputs: [[1]] }, inputs)).toEqual({ error: "inputs[0] must hold 2 values, in the order a, b" });
    expect(mlflowRows({ inputs: { a: [1, 2], b: ["x"] } }, inputs)).toEqual({ error: "inputs.b has 1 values; the other columns have 2" });
    expect(mlflowRows({ dataframe_records: [], extra: 1 }, inputs)).toEqual({ error: "unknown top-level field extra (MLflow's format allows dataframe_records and params)" });
    expect(mlflowRows({ dataframe_records: [] }, inputs)).toEqual({ error: "dataframe_records holds no rows" });
    expect(mlflowRows([], inputs)).toEqual({ error: "body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs" });
  });
});

describe("Open Inference Protocol tensors", () => {
  it("describes each input's datatype as the column was read: INT64 for integers, FP64 for other numbers", () => {
    expect([oipDatatype({ type: "number", kind: "integer" }), oipDatatype({ type: "number", kind: "float" }), oipDatatype({ type: "number" }), oipDatatype({ type: "boolean" }), oipDatatype({ type: "string", kind: "categorical" })]).toEqual(["INT64", "FP64", "FP64", "BOOL", "BYTES"]);
  });
  it("turns one tensor per column into rows, nulls as missing, and echoes the id", () => {
    const parsed = oipRows({ id: "r1", inputs: [{ name: "a", shape: [2, 1], datatype: "INT64", data: [[1], [null]] }, { name: "b", shape: [2], datatype: "BYTES", data: ["x", "y"] }] });
    expect(parsed).toEqual({ rows: [{ a: 1, b: "x" }, { a: null, b: "y" }], batch: true, id: "r1", outputs: undefined });
    expect(oipRows({ inputs: [{ name: "a", shape: [1, 2], datatype: "FP64", data: [1, 2] }] })).toEqual({ error: "inputs[0] (a): shape must be [N] or [N, 1] (one tensor per column), got [1, 2]" });
    expect(oipRows({ inputs: [{ name: "a", shape: [1], datatype: "FP8", data: [1] }] })).toEqual({ error: "inputs[0] (a): datatype FP8 is not supported (BOOL, BYTES, INT*, UINT*, FP*)" });
    expect(oipRows({ inputs: [{ name: "a", shape: [1], datatype: "FP64", data: [1] }, { name: "b", shape: [2], datatype: "BYTES", data: ["x", "y"] }] })).toEqual({ error: "inputs[1] (b) has 2 rows; the inputs before it have 1" });
    expect(oipRows({ inputs: [{ name: "a", shape: [1], datatype: "INT32", data: [1.5] }] })).toEqual({ error: "inputs[0] (a): data[0] is not INT32: 1.5" });
    expect(oipRows({ inputs: [{ name: "a", shape: [1], datatype: "FP64", data: [1] }, { name: "a", shape: [1], datatype: "FP64", data: [2] }] })).toEqual({ error: "inputs[1] (a): another input has the same name" });
  });
  it("writes predictions with the labels' datatype and probabilities as an [N, K] matrix in the order of the classes", () => {
    expect(labelDatatype([1, 0])).toBe("INT64");
    expect(labelDatatype([0.5])).toBe("FP64");
    expect(labelDatatype([true])).toBe("BOOL");
    expect(labelDatatype(["a", 1])).toBe("BYTES");
    const out = oipOutputs([1, 0], [{ "0": 0.25, "1": 0.75 }, { "0": 0.9, "1": 0.1 }], [0, 1]);
    expect(out).toEqual([
      { name: "predictions", datatype: "INT64", shape: [2], data: [1, 0] },
      { name: "probabilities", datatype: "FP64", shape: [2, 2], data: [0.25, 0.75, 0.9, 0.1], parameters: { classes: ["0", "1"] } },
    ]);
  });
});

/** A reader of COPY's binary rows, field by field (array_send's layout for the arrays). */
function reader(b: Buffer) {
  let o = 0;
  const fields = (): Buffer[] => {
    const n = b.readInt16BE(o);
    o += 2;
    return Array.from({ length: n }, () => {
      const len = b.readInt32BE(o);
      o += 4;
      const f = b.subarray(o, o + len);
      o += len;
      return f;
    });
  };
  const array = (f: Buffer, oid: number): Buffer[] => {
    expect([f.readInt32BE(0), f.readInt32BE(4), f.readInt32BE(8), f.readInt32BE(16)]).toEqual([1, 0, oid, 1]);
    let p = 20;
    return Array.from({ length: f.readInt32BE(12) }, () => {
      const len = f.readInt32BE(p);
      const e = f.subarray(p + 4, p + 4 + len);
      p += 4 + len;
      return e;
    });
  };
  return { fields, array, end: () => o };
}

/** A PredictionLog over a stand-in database that keeps what each COPY was sent. */
function capturedLog() {
  const copies: Buffer[] = [];
  const $sql = () => ({
    writable: async () => {
      const parts: Buffer[] = [];
      return new Writable({
        write(chunk: Buffer, _enc, cb) {
          parts.push(Buffer.from(chunk));
          cb();
        },
        final(cb) {
          copies.push(Buffer.concat(parts));
          cb();
        },
      });
    },
  });
  return { log: new PredictionLog({ $sql } as unknown as Db), copies };
}

describe("the prediction log", () => {
  it("keeps a batch's columns in step when a row is refused, and opens no batch for a refused first row", async () => {
    const { log, copies } = capturedLog();
    const ids = logIds("00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003");
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((m) => void errors.push(m));
    // Another variant's first row refused, in the same flush: no empty batch of it is written.
    const other = logIds("00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000004");
    log.append(other, "not-a-uuid", [{ x: 1 }], ["a"], 1, false, Date.UTC(2026, 0, 1));
    log.append(ids, "00000000-0000-0000-0000-0000000000a1", [{ x: 1 }], ["a"], 1, false, Date.UTC(2026, 0, 1));
    log.append(ids, "not-a-uuid-either", [{ x: 2 }], ["b"], 2, false, Date.UTC(2026, 0, 1));
    log.append(ids, "00000000-0000-0000-0000-0000000000a3", [{ x: 3 }], ["c"], 3, false, Date.UTC(2026, 0, 1));
    await log.flush();
    spy.mockRestore();
    expect(errors).toHaveLength(2);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.subarray(0, COPY_HEADER.length)).toEqual(COPY_HEADER);
    const body = copies[0]!.subarray(COPY_HEADER.length, copies[0]!.length - 2);
    const { fields, array, end } = reader(body);
    const f = fields();
    expect(end()).toBe(body.length); // one batch
    expect(array(f[5]!, 2950).map((e) => e.toString("hex").slice(-2))).toEqual(["a1", "a3"]);
    expect(array(f[7]!, 25).map(String)).toEqual(['{"x":1}', '{"x":3}']);
    expect(array(f[8]!, 25).map(String)).toEqual(['"a"', '"c"']);
    expect(array(f[9]!, 701).map((e) => e.readDoubleBE(0))).toEqual([1, 3]);
    expect(array(f[10]!, 1184)).toHaveLength(2);
  });

  it("writes a batch per endpoint, version and role in COPY's binary format: arrays of ids as 16 bytes, JSON as UTF-8 text, times from 2000-01-01 in microseconds", () => {
    const endpoint = "00000000-0000-0000-0000-000000000002";
    const rows = [
      {
        request_id: "0192f3a4-5b6c-7d8e-9fa0-b1c2d3e4f5a6",
        idx: 2,
        endpoint_id: endpoint,
        model_version_id: "ffffffff-ffff-ffff-ffff-fffffffffffe",
        shadow: true,
        input: { note: "a\tb\nc\\d é 🙂", n: null },
        prediction: "yes",
        latency_ms: 0.5,
        created_at: Date.parse("2026-11-26T10:00:00.123Z"),
      },
      { request_id: "00000000-0000-0000-0000-000000000001", idx: 0, endpoint_id: endpoint, model_version_id: "00000000-0000-0000-0000-000000000003", shadow: false, input: {}, prediction: 3.25, latency_ms: 12, created_at: Date.parse("2000-01-01T00:00:00Z") },
      { request_id: "00000000-0000-0000-0000-0000000000ff", idx: 1, endpoint_id: endpoint, model_version_id: "00000000-0000-0000-0000-000000000003", shadow: false, input: { x: 1 }, prediction: 4, latency_ms: 3, created_at: Date.parse("2000-01-01T00:00:01Z") },
    ];
    const b = copyBatches(rows);
    const { fields, array, end } = reader(b);
    const uuid = (f: Buffer) => f.toString("hex").replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    const us = (ms: number) => (ms - Date.UTC(2000, 0, 1)) * 1000;
    const first = fields();
    expect(first).toHaveLength(11);
    expect([uuid(first[0]!), uuid(first[1]!), first[2]![0], Number(first[3]!.readBigInt64BE(0)), Number(first[4]!.readBigInt64BE(0))]).toEqual([endpoint, rows[0]!.model_version_id, 1, us(rows[0]!.created_at), us(rows[0]!.created_at)]);
    expect(array(first[5]!, 2950).map(uuid)).toEqual([rows[0]!.request_id]);
    expect(array(first[6]!, 23).map((e) => e.readInt32BE(0))).toEqual([2]);
    expect(JSON.parse(array(first[7]!, 25)[0]!.toString("utf8"))).toEqual(rows[0]!.input);
    expect(array(first[8]!, 25).map(String)).toEqual(['"yes"']);
    expect(array(first[9]!, 701).map((e) => e.readDoubleBE(0))).toEqual([0.5]);
    expect(array(first[10]!, 1184).map((e) => Number(e.readBigInt64BE(0)))).toEqual([us(rows[0]!.created_at)]);
    // The other version's two rows: one batch, its time span from the first to the last.
    const second = fields();
    expect([uuid(second[1]!), second[2]![0], Number(second[3]!.readBigInt64BE(0)), Number(second[4]!.readBigInt64BE(0))]).toEqual([rows[1]!.model_version_id, 0, 0, 1_000_000]);
    expect(array(second[5]!, 2950).map(uuid)).toEqual([rows[1]!.request_id, rows[2]!.request_id]);
    expect(array(second[6]!, 23).map((e) => e.readInt32BE(0))).toEqual([0, 1]);
    expect(array(second[7]!, 25).map(String)).toEqual(["{}", '{"x":1}']);
    expect(array(second[8]!, 25).map(String)).toEqual(["3.25", "4"]);
    expect(array(second[9]!, 701).map((e) => e.readDoubleBE(0))).toEqual([12, 3]);
    expect(end()).toBe(b.length);
    expect(() => copyBatches([{ ...rows[1]!, request_id: "not-a-uuid" }])).toThrow(/not a UUID/);
  });
});

describe("live accuracy interval", () => {
  it("is the Wilson score interval", () => {
    // 8 of 10 right: the textbook interval (z = 1.96) is 0.4902 to 0.9433.
    const { low, high } = wilson(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
    expect(wilson(5, 5).high).toBe(1);
  });
});

describe("Millrace's response body, written directly", () => {
  const variant = { name: 'churn "v" \\ model', version: 3 } as never;
  it.each([
    { predictions: [0, 1], probabilities: [{ "0": 0.69, "1": 0.31 }, { "0": 0.1 + 0.2, "1": 1 - (0.1 + 0.2) }] },
    { predictions: ["yes", 'say "no"\n', "ünï"], probabilities: [{ yes: 1, 'say "no"\n': 0, ünï: 0 }, { yes: 0, 'say "no"\n': 1, ünï: 0 }, { yes: 0, 'say "no"\n': 0, ünï: 1 }] },
    { predictions: [true, false] },
    { predictions: [12.5, -0.000001, 1e21, Number.NaN] },
  ])("is exactly what JSON.stringify writes: %j", (body) => {
    const scored = { ...body, variant, requestId: "019d4cb2-f0b2-4c3e-85a5-4903ea22158c", ignored: [] } as never;
    const text = millraceJson(scored);
    expect(text).toBe(JSON.stringify(millraceBody(scored)));
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(millraceBody(scored))));
  });
});
