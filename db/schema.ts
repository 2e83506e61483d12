/** The database schema (drizzle). Every jsonb column is typed by the pipeline vocabulary in lib/. */
import {
  customType,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  boolean,
  bigint,
  doublePrecision,
  index,
} from "drizzle-orm/pg-core";
import type { ColumnSchema, PipelineGraph } from "~/lib/pipeline/document";
import type { ArtifactRef, NodeStatus, RunStatus } from "~/lib/pipeline/plan";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const datasets = pgTable("dataset", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  artifactUri: text("artifact_uri").notNull(),
  rows: integer("rows").notNull(),
  columns: jsonb("columns").$type<ColumnSchema[]>().notNull(),
  createdAt: createdAt(),
});

export const pipelines = pgTable("pipeline", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  latestVersion: integer("latest_version").notNull().default(1),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const pipelineVersions = pgTable(
  "pipeline_version",
  {
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    graph: jsonb("graph").$type<PipelineGraph>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.pipelineId, t.version] })],
);

export const runs = pgTable(
  "run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    pipelineVersion: integer("pipeline_version").notNull(),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    error: text("error"),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("run_pipeline_idx").on(t.pipelineId, t.createdAt)],
);

export const runNodes = pgTable(
  "run_node",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    type: text("type").notNull(),
    status: text("status").$type<NodeStatus>().notNull().default("queued"),
    attempt: integer("attempt").notNull().default(0),
    error: text("error"),
    outputs: jsonb("outputs").$type<Record<string, ArtifactRef>>(),
    metrics: jsonb("metrics").$type<Record<string, number>>(),
    /** Work done so far by key (e.g. trees per slice), while the node runs. */
    progress: jsonb("progress").$type<Record<string, { done: number; total: number }>>(),
    /** Milliseconds the executor itself spent (excludes queueing and Temporal overhead). */
    workMs: doublePrecision("work_ms"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const modelVersions = pgTable(
  "model_version",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Models are named after the endpoint slug they are deployed to. */
    name: text("name").notNull(),
    version: integer("version").notNull(),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    nodeId: text("node_id").notNull(),
    artifactUri: text("artifact_uri").notNull(),
    task: text("task").$type<"classification" | "regression">().notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>(),
    /** The raw columns an endpoint serving this version accepts (its input signature). */
    inputSchema: jsonb("input_schema").$type<ColumnSchema[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("model_version_name_version_uq").on(t.name, t.version),
    // A retried deploy activity must never register the same run's model twice.
    uniqueIndex("model_version_run_node_uq").on(t.runId, t.nodeId),
  ],
);

export const endpoints = pgTable("endpoint", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  /** The pipeline whose deploys this endpoint serves; another pipeline must confirm a takeover. */
  pipelineId: uuid("pipeline_id").references(() => pipelines.id, { onDelete: "set null" }),
  modelVersionId: uuid("model_version_id")
    .notNull()
    .references(() => modelVersions.id),
  monitored: boolean("monitored").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const deployments = pgTable(
  "deployment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    modelVersionId: uuid("model_version_id")
      .notNull()
      .references(() => modelVersions.id),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    nodeId: text("node_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("deployment_run_node_uq").on(t.runId, t.nodeId)],
);

/** Artifact bytes when ARTIFACT_STORE=postgres, so workers on other machines share them. */
export const artifacts = pgTable("artifact", {
  key: text("key").primaryKey(),
  data: bytea("data").notNull(),
  size: bigint("size", { mode: "number" }).notNull(),
  createdAt: createdAt(),
});

