import { describe, expect, it } from "vitest";
import { redact } from "~/workflows/secrets";
import { spec } from "./spec";

const infer = (config: Record<string, unknown>) => spec.infer!({ config: spec.config.parse(config), inputs: {}, datasetColumns: () => undefined });

describe("postgres-query", () => {
  it("asks for a secret and a query, then for Describe, and passes on the described columns", () => {
    expect(infer({})).toEqual({
      errors: [
        { path: "connectionSecret", message: "choose the secret that holds the connection string" },
        { path: "query", message: "write a SELECT" },
      ],
    });
    expect(infer({ connectionSecret: "DB", query: "select 1 as a" })).toEqual({ errors: [{ path: "columns", message: "describe the query to learn its columns" }] });
    const columns = [{ name: "a", type: "number", nullable: true }];
    expect(infer({ connectionSecret: "DB", query: "select 1 as a", columns })).toEqual({ outputs: { dataset: columns } });
  });

  it("refuses configs outside its limits", () => {
    expect(spec.config.safeParse({ timeoutSeconds: 0 }).success).toBe(false);
    expect(spec.config.safeParse({ maxRows: 1e9 }).success).toBe(false);
    expect(spec.config.safeParse({ query: "x".repeat(20_001) }).success).toBe(false);
  });

  it("redacts a connection string, its password and user:password, raw and decoded", () => {
    const secret = "postgres://ana:p%40ss-w0rd@db.example:5432/sales";
    const text = `failed for ${secret}; password p@ss-w0rd; auth ana:p%40ss-w0rd; raw p%40ss-w0rd`;
    const out = redact(text, [secret]);
    expect(out).toBe("failed for [secret]; password [secret]; auth [secret]; raw [secret]");
  });
});
