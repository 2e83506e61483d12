import { z } from "zod";
import { defineNode } from "../define";

const column = z.object({ name: z.string().min(1).max(200), type: z.enum(["number", "string", "boolean"]), nullable: z.boolean() });

export const spec = defineNode({
  type: "postgres-query",
  label: "PostgreSQL query",
  stage: "ingest",
  // Never reused from an earlier run: it reads a database.
  cache: false,
  description: "Reads the rows of a SELECT from a PostgreSQL database, read-only, with the connection string kept as a workspace secret.",
  config: z.object({
    connectionSecret: z
      .string()
      .max(64)
      .default("")
      .meta({ title: "Connection secret", widget: "secret", description: "A workspace secret holding postgres://user:password@host:5432/database" }),
    query: z.string().max(20_000).default("").meta({ title: "Query", widget: "sql", description: "One SELECT; it runs in a read-only transaction" }),
    timeoutSeconds: z.number().int().min(1).max(3600).default(60).meta({ title: "Statement timeout (s)" }),
    maxRows: z.number().int().min(1).max(100_000_000).default(10_000_000).meta({ title: "Row limit", description: "More rows than this fail the node" }),
    columns: z.array(column).max(5000).default([]).meta({ title: "Columns", widget: "query-columns", description: "What the query returns, from Describe" }),
  }),
  inputs: {},
  outputs: { dataset: { type: "dataset", label: "Dataset" } },
  summary: (c) => (c.connectionSecret ? `secret ${c.connectionSecret}` : "no connection"),
  infer: ({ config }) => {
    const errors = [];
    if (!config.connectionSecret) errors.push({ path: "connectionSecret", message: "choose the secret that holds the connection string" });
    if (!config.query.trim()) errors.push({ path: "query", message: "write a SELECT" });
    else if (!config.columns.length) errors.push({ path: "columns", message: "describe the query to learn its columns" });
    if (errors.length) return { errors };
    return { outputs: { dataset: config.columns } };
  },
});
