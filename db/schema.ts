/** The database schema (drizzle). Every jsonb column is typed by the pipeline vocabulary in lib/. */
import {
  pgView,
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
import { sql } from "drizzle-orm";
import type { DatasetSource } from "~/lib/pipeline/ingest";
import type { ColumnSchema, PipelineGraph } from "~/lib/pipeline/document";
import type { ArtifactRef, ExecutionPlan, NodeStatus, RunStatus } from "~/lib/pipeline/plan";
import type { MonitorSettings, WindowCounts } from "~/lib/monitoring";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------------------------
// Identity: the tables Better Auth reads and writes (users, sessions, sign-in accounts,
// verification values, rate-limit counters). Ids are Better Auth's strings.

export const users = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  /** Instance administrators see every workspace, the audit log and the Temporal UI link. */
  isAdmin: boolean("is_admin").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const sessions = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

export const accounts = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("account_user_idx").on(t.userId)],
);

export const verifications = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const rateLimits = pgTable("rate_limit", {
  id: text("id").primaryKey(),
  key: text("key").notNull().unique(),
  count: integer("count").notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

// ---------------------------------------------------------------------------------------------
// Workspaces: everything a user makes belongs to one; members hold a role in it.

export type Role = "owner" | "editor" | "viewer";
export type TokenScope = "read" | "run" | "deploy" | "admin";

export const workspaces = pgTable("workspace", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

/** The workspace every row made before workspaces existed was moved into. */
export const DEFAULT_WORKSPACE_ID = "00000000-0000-4000-8000-000000000001";

export const memberships = pgTable(
  "membership",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<Role>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("membership_user_idx").on(t.userId)],
);

export const invitations = pgTable("invitation", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  email: text("email").notNull(),
  role: text("role").$type<Role>().notNull(),
  /** SHA-256 of the token in the invitation link; the token itself is never stored. */
  tokenHash: text("token_hash").notNull().unique(),
  invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  acceptedAt: timestamp("accepted_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

export const apiTokens = pgTable(
  "api_token",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** Personal tokens act for their user; workspace tokens for their workspace. */
    kind: text("kind").$type<"personal" | "workspace">().notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    scopes: jsonb("scopes").$type<TokenScope[]>().notNull(),
    /** The first characters, to recognise a token in a list; the rest is only in its hash. */
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull().unique(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_token_user_idx").on(t.userId), index("api_token_workspace_idx").on(t.workspaceId)],
);

/** Credentials nodes use (connection strings, webhook secrets): encrypted, never read back out. */
export const secrets = pgTable(
  "secret",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** AES-256-GCM: 12-byte IV, 16-byte tag, ciphertext. */
    sealed: bytea("sealed").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("secret_workspace_name_uq").on(t.workspaceId, t.name)],
);

export const auditEvents = pgTable(
  "audit_event",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    actorUserId: text("actor_user_id"),
    actorTokenId: uuid("actor_token_id"),
    /** e.g. `auth.sign-in`, `member.role`, `token.create`, `secret.update`, `deploy`. */
    action: text("action").notNull(),
    target: text("target"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    ip: text("ip"),
    createdAt: createdAt(),
  },
  (t) => [index("audit_workspace_time_idx").on(t.workspaceId, t.createdAt), index("audit_action_idx").on(t.action)],
);

const workspaceId = () =>
  uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" });

export const datasets = pgTable("dataset", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: workspaceId(),
  name: text("name").notNull(),
  artifactUri: text("artifact_uri").notNull(),
  rows: integer("rows").notNull(),
  columns: jsonb("columns").$type<ColumnSchema[]>().notNull(),
  /** Where it came from and how it was read (format, dialect, ingest warnings); null before this was kept. */
  source: jsonb("source").$type<DatasetSource>(),
  createdAt: createdAt(),
}, (t) => [index("dataset_name_idx").on(t.workspaceId, t.name, t.createdAt)]);

export const pipelines = pgTable("pipeline", {
  id: uuid("id").primaryKey().defaultRandom(),
  workspaceId: workspaceId(),
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
    /** A name the user gave this version ("before tuning"); versions are numbered either way. */
    label: text("label"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.pipelineId, t.version] })],
);

export const runs = pgTable(
  "run",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    pipelineVersion: integer("pipeline_version").notNull(),
    /** Who started it (a user, or the user behind a token). */
    startedBy: text("started_by"),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    error: text("error"),
    /** Its scores (what its nodes put on `metrics` ports), kept when it finishes: run lists sort by them. */
    metrics: jsonb("metrics").$type<Record<string, number>>(),
    /** False when started with "ignore cache": every node runs. */
    useCache: boolean("use_cache").notNull().default(true),
    /** The failed run this one resumes (its unchanged nodes are reused from it). */
    resumedFrom: uuid("resumed_from"),
    /** The schedule that started it (a Temporal Schedule id), if one did. */
    scheduleId: text("schedule_id"),
    /** The dataset trigger that started it, if one did. */
    triggerId: uuid("trigger_id"),
    /** Every declared parameter's value in this run (chosen at launch, else the default); null for pipelines without. */
    parameters: jsonb("parameters").$type<Record<string, unknown>>(),
    /** `retrain`: started by a drift alarm; its deploy nodes register a challenger instead of deploying. */
    purpose: text("purpose").$type<"run" | "retrain">().notNull().default("run"),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("run_pipeline_idx").on(t.pipelineId, t.createdAt),
    index("run_workspace_idx").on(t.workspaceId, t.createdAt),
    index("run_workspace_status_idx").on(t.workspaceId, t.status, t.createdAt),
  ],
);

/**
 * A trigger: when a dataset of this name gets a new version (a new upload under the name), run the
 * pipeline's latest version, passing the new dataset as `parameter` when one is named. The cursor
 * (`lastSeenAt`, the creation time of the newest dataset already handled) makes each new version
 * start one run, even with several web processes and across restarts.
 */
export const pipelineTriggers = pgTable(
  "pipeline_trigger",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    pipelineId: uuid("pipeline_id")
      .notNull()
      .references(() => pipelines.id, { onDelete: "cascade" }),
    datasetName: text("dataset_name").notNull(),
    /** The dataset-typed parameter that receives the new version; none: the run uses its defaults. */
    parameter: text("parameter"),
    paused: boolean("paused").notNull().default(false),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastDatasetId: uuid("last_dataset_id"),
    lastRunId: uuid("last_run_id"),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true }),
    /** Why the last firing did not start a run (the pipeline did not compile, Temporal was down, …). */
    lastError: text("last_error"),
  },
  (t) => [uniqueIndex("pipeline_trigger_name_idx").on(t.pipelineId, t.datasetName), index("pipeline_trigger_ws_idx").on(t.workspaceId, t.datasetName)],
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
    /** Why it ran, or the earlier run whose output it reused. */
    cache: jsonb("cache").$type<NodeCacheOutcome>(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export interface NodeCacheOutcome {
  /** Set when the output was reused: the run and node that produced it. */
  reusedFrom?: { runId: string; nodeId: string };
  /** In words: "config changed: maxDepth 16 → 32", "input changed: dataset", "reused: nothing changed". */
  reason: string;
}

/**
 * Outputs a node produced, by what determines them: its type and version, config and input
 * artifacts (the key hashes them, within a workspace). A run reuses an entry whose artifacts
 * still exist instead of running the node again. Also read to say why a node ran.
 */
export const nodeCache = pgTable(
  "node_cache",
  {
    key: text("key").primaryKey(),
    workspaceId: workspaceId(),
    pipelineId: uuid("pipeline_id").references(() => pipelines.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    type: text("type").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    /** Input port → the artifact URI it read. */
    inputs: jsonb("inputs").$type<Record<string, string>>().notNull(),
    outputs: jsonb("outputs").$type<Record<string, ArtifactRef>>().notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>(),
    runId: uuid("run_id").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("node_cache_node_idx").on(t.pipelineId, t.nodeId, t.createdAt)],
);

export const modelVersions = pgTable(
  "model_version",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    /**
     * The registered model this is a version of: one per pipeline node that trains (named after
     * the pipeline and node when first registered), or the endpoint slug for versions deployed
     * before models were registered at training.
     */
    name: text("name").notNull(),
    version: integer("version").notNull(),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    /** The node (and, for a port other than `model`, `node:port`) whose output this is. */
    nodeId: text("node_id").notNull(),
    /** The pipeline that trained it (kept when the run is deleted). */
    pipelineId: uuid("pipeline_id").references(() => pipelines.id, { onDelete: "set null" }),
    artifactUri: text("artifact_uri").notNull(),
    task: text("task").$type<"classification" | "regression">().notNull(),
    metrics: jsonb("metrics").$type<Record<string, number>>(),
    /** The raw columns an endpoint serving this version accepts (its input signature). */
    inputSchema: jsonb("input_schema").$type<ColumnSchema[]>(),
    /** A row of the data it was trained on, as ingested: the example in its endpoint's OpenAPI and "try it". */
    example: jsonb("example").$type<Record<string, unknown>>(),
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
  workspaceId: workspaceId(),
  slug: text("slug").notNull().unique(),
  /** The pipeline whose deploys this endpoint serves; another pipeline must confirm a takeover. */
  pipelineId: uuid("pipeline_id").references(() => pipelines.id, { onDelete: "set null" }),
  modelVersionId: uuid("model_version_id")
    .notNull()
    .references(() => modelVersions.id),
  monitored: boolean("monitored").notNull().default(false),
  /** The monitor node's window and thresholds (defaults where absent). */
  monitor: jsonb("monitor").$type<Partial<MonitorSettings>>(),
  /** Request fields the model does not know: ignored (and named in a response header) or refused. */
  unknownFields: text("unknown_fields").$type<"ignore" | "reject">().notNull().default("ignore"),
  /** Private endpoints answer only callers with a serving key; public ones anyone. */
  access: text("access").$type<EndpointAccess>().notNull().default("private"),
  /** Traffic split between model versions; null: all traffic to `modelVersionId`. */
  traffic: jsonb("traffic").$type<TrafficVariant[]>(),
  /** Set when it was deployed by alias: moving the alias deploys the version it then names. */
  follows: jsonb("follows").$type<AliasRef>(),
  /** Share of requests recorded in the prediction log (0 to 1). */
  logSample: doublePrecision("log_sample").notNull().default(1),
  /** The live revision's number (see `deployments`). */
  revision: integer("revision").notNull().default(1),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type EndpointAccess = "private" | "public";
/** A registered model's alias, e.g. `{ model: "churn", alias: "champion" }`. */
export interface AliasRef {
  model: string;
  alias: string;
}
/** One model version's share of an endpoint's traffic; a shadow gets copies and answers no one. */
export interface TrafficVariant {
  modelVersionId: string;
  weight: number;
  shadow?: boolean;
  /**
   * Stops the variant (it becomes a shadow) once it is confidently worse than a bound, since the
   * split went live: from feedback, accuracy's 95% interval entirely below `minAccuracy` or RMSE
   * above `maxRmse` (over at least `minLabelled` labels); from its own traffic in a serving
   * process, the 95% interval of its error rate entirely above `maxErrorRate`, or its p99 latency
   * above `maxP99Ms` (over at least `minRequests` requests).
   */
  guardrail?: { minAccuracy?: number; maxRmse?: number; minLabelled?: number; maxErrorRate?: number; maxP99Ms?: number; minRequests?: number };
}

/** What made a revision: a deploy, a rollback, a traffic split, a guardrail stopping a variant, or an alias the endpoint follows moving. */
export type RevisionKind = "deploy" | "rollback" | "traffic" | "guardrail" | "alias" | "retrain";

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
    /** The deploy node that made this revision; null for a deploy, rollback or traffic change from the UI or API. */
    nodeId: text("node_id"),
    /** 1, 2, … per endpoint: the endpoint's revision history. */
    revision: integer("revision").notNull(),
    kind: text("kind").$type<RevisionKind>().notNull().default("deploy"),
    /** The traffic split this revision set (null: all to modelVersionId). */
    traffic: jsonb("traffic").$type<TrafficVariant[]>(),
    actorUserId: text("actor_user_id"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("deployment_run_node_uq").on(t.runId, t.nodeId), uniqueIndex("deployment_endpoint_revision_uq").on(t.endpointId, t.revision)],
);

/** Named pointers to model versions (`champion`, `challenger`, anything): moved, never versions themselves. */
export const modelAliases = pgTable(
  "model_alias",
  {
    name: text("name").notNull(),
    alias: text("alias").notNull(),
    workspaceId: workspaceId(),
    modelVersionId: uuid("model_version_id")
      .notNull()
      .references(() => modelVersions.id, { onDelete: "cascade" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.name, t.alias] })],
);

/** Keys for calling endpoints: shown once, stored as SHA-256; scoped to a workspace, optionally to some of its endpoints. */
export const servingKeys = pgTable(
  "serving_key",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull().unique(),
    /** Endpoint slugs this key may call; null: every endpoint of its workspace. */
    endpoints: jsonb("endpoints").$type<string[]>(),
    /** Requests per minute, across every serving process (shared through serving_key_use); null: unlimited. */
    rateLimit: integer("rate_limit"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("serving_key_workspace_idx").on(t.workspaceId)],
);

/**
 * The prediction log as written: one row per flushed batch of one endpoint, model version and role
 * (live or shadow), its predictions' fields as parallel arrays (element i of each is prediction i).
 * Written in bulk by COPY off the request path; a row per batch rather than per prediction halves
 * Postgres's CPU per logged prediction (measured: `npm run bench:log-format`), which on a machine
 * whose cores it shares with the serving process is what the log costs the serving rate. The
 * arrays are stored uncompressed out of line (compressing them cost more CPU than storing them
 * did), there is no foreign key (rows of a deleted endpoint stay until retention removes them) and
 * only a BRIN index on the batch's time span. Read it through `prediction_log`.
 */
export const predictionLogBatches = pgTable(
  "prediction_log_batches",
  {
    endpointId: uuid("endpoint_id").notNull(),
    modelVersionId: uuid("model_version_id").notNull(),
    shadow: boolean("shadow").notNull().default(false),
    /** The earliest and latest `createdAts` of the batch. */
    firstAt: timestamp("first_at", { withTimezone: true }).notNull(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull(),
    requestIds: uuid("request_ids").array().notNull(),
    /** Each instance's position in its request's batch. */
    idxs: integer("idxs").array().notNull(),
    /**
     * The request rows as JSON text: as the caller wrote it when the request was that one object and
     * validation rewrote none of its values; otherwise serialized by Millrace (with JSON.stringify).
     */
    inputs: text("inputs").array().notNull(),
    /** The predictions as JSON text (a string, number or boolean). */
    predictions: text("predictions").array().notNull(),
    latenciesMs: doublePrecision("latencies_ms").array().notNull(),
    /** When each prediction was made. */
    createdAts: timestamp("created_ats", { withTimezone: true }).array().notNull(),
  },
  // autosummarize: each filled block range is summarized by autovacuum soon after, so time-bounded
  // reads (feedback by a request id's time, the monitoring page's ranges) skip the rest.
  (t) => [index("prediction_log_batches_time_brin").using("brin", t.firstAt, t.lastAt).with({ autosummarize: true })],
);

/**
 * Every logged prediction, one row per instance of a request and model version (shadows
 * included): a view unnesting `prediction_log_batches` (migration 0024), with `batch_first_at` and
 * `batch_last_at` to bound a read by time — a condition on `created_at` alone is checked only after
 * every batch is unnested; add `batch_last_at >= from and batch_first_at <= to` for the BRIN index.
 * Inserting into it (tests, benchmarks, hand-written SQL) writes a batch of one.
 */
export const predictionLog = pgView("prediction_log", {
  requestId: uuid("request_id").notNull(),
  idx: integer("idx").notNull(),
  endpointId: uuid("endpoint_id").notNull(),
  modelVersionId: uuid("model_version_id").notNull(),
  shadow: boolean("shadow").notNull(),
  input: text("input").notNull(),
  prediction: text("prediction").notNull(),
  latencyMs: doublePrecision("latency_ms").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  batchFirstAt: timestamp("batch_first_at", { withTimezone: true }).notNull(),
  batchLastAt: timestamp("batch_last_at", { withTimezone: true }).notNull(),
}).existing();

/** Ground truth for logged predictions; may arrive before or long after the prediction is written. */
export const predictionFeedback = pgTable(
  "prediction_feedback",
  {
    requestId: uuid("request_id").notNull(),
    idx: integer("idx").notNull(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    label: jsonb("label").$type<string | number | boolean>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.idx] }), index("prediction_feedback_endpoint_idx").on(t.endpointId, t.createdAt)],
);

/** Artifact bytes when ARTIFACT_STORE=postgres, so workers on other machines share them. */
export const artifacts = pgTable("artifact", {
  key: text("key").primaryKey(),
  data: bytea("data").notNull(),
  size: bigint("size", { mode: "number" }).notNull(),
  createdAt: createdAt(),
});


export type BatchScoreStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
/** What one scored chunk recorded: rows written and rows that could not be scored (their reason is in the file). */
export interface BatchChunkProgress {
  rows: number;
  failed: number;
}

/**
 * Requests each serving process has let through per rate-limited key since it started, published
 * every second: each process deducts what the others took from its own token bucket, so a key's
 * limit holds across processes (to within a second of the others' traffic).
 */
export const servingKeyUse = pgTable(
  "serving_key_use",
  {
    instanceId: text("instance_id").notNull(),
    keyId: uuid("key_id")
      .notNull()
      .references(() => servingKeys.id, { onDelete: "cascade" }),
    taken: bigint("taken", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.keyId] }), index("serving_key_use_key_idx").on(t.keyId, t.updatedAt)],
);

/**
 * A dataset scored by a model version as a Temporal workflow (`scoreBatch`), chunk by chunk;
 * the scored file is an artifact. The model version is fixed when the job starts, so a deploy
 * in the middle does not mix two models in one file.
 */
export const batchScores = pgTable(
  "batch_score",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    /** The endpoint whose model it used (kept as text: the endpoint may be deleted later). */
    endpointSlug: text("endpoint_slug"),
    modelVersionId: uuid("model_version_id")
      .notNull()
      .references(() => modelVersions.id),
    datasetId: uuid("dataset_id").references(() => datasets.id, { onDelete: "set null" }),
    datasetName: text("dataset_name").notNull(),
    status: text("status").$type<BatchScoreStatus>().notNull().default("queued"),
    rowsTotal: bigint("rows_total", { mode: "number" }).notNull(),
    chunkRows: integer("chunk_rows").notNull(),
    /** Per chunk index: what it wrote (retries overwrite their own entry). */
    chunks: jsonb("chunks").$type<Record<string, BatchChunkProgress>>().notNull().default({}),
    /** The columns added to the dataset's: prediction, probabilities, the reason a row was not scored. */
    outputColumns: jsonb("output_columns").$type<string[]>(),
    resultUri: text("result_uri"),
    resultBytes: bigint("result_bytes", { mode: "number" }),
    error: text("error"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("batch_score_workspace_idx").on(t.workspaceId, t.createdAt)],
);

/**
 * A link that shows one run to anyone holding it, without an account: a redacted report (no
 * configs, data sources, errors or endpoints). The token is stored as a SHA-256 hash; revoked or
 * expired links answer "not found".
 */
export const runShares = pgTable(
  "run_share",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    workspaceId: workspaceId(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The token's first characters, to tell links apart in lists. */
    prefix: text("prefix").notNull(),
    createdBy: text("created_by"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("run_share_run_idx").on(t.runId)],
);

/**
 * What nodes said while they ran: structured lines (a message and fields) per run, node and
 * attempt, written in batches by the worker and shown on the run page as they arrive. Bounded
 * per attempt; secrets and this machine's paths are taken out before they are written.
 */
export const runLogs = pgTable(
  "run_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    level: text("level").$type<"info" | "warn" | "error">().notNull(),
    message: text("message").notNull(),
    fields: jsonb("fields").$type<Record<string, unknown>>(),
  },
  (t) => [index("run_log_node_idx").on(t.runId, t.nodeId, t.id)],
);

/**
 * Live monitoring counts per endpoint, model version and role, one row per minute: requests,
 * failures and latency buckets, and each feature's and the predictions' counts on the model's
 * reference bins. Serving processes add to the row of the current minute every few seconds;
 * drift and the monitoring page sum rows over a window, never rescanning the prediction log.
 */
export const monitorCounts = pgTable(
  "monitor_counts",
  {
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    modelVersionId: uuid("model_version_id").notNull(),
    role: text("role").$type<"live" | "shadow">().notNull(),
    minute: timestamp("minute", { withTimezone: true }).notNull(),
    counts: jsonb("counts").$type<WindowCounts>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.modelVersionId, t.role, t.minute] }), index("monitor_counts_minute_idx").on(t.endpointId, t.minute)],
);

/**
 * Drift alarms: opened when a feature's (or the predictions') drift over the monitor's window
 * passes its alarm bound, resolved when it falls back; at most one open per endpoint, model
 * version and subject. The webhook delivery's outcome is kept with it.
 */
export const monitorAlarms = pgTable(
  "monitor_alarm",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    modelVersionId: uuid("model_version_id").notNull(),
    /** A feature's name, or `prediction`. */
    subject: text("subject").notNull(),
    psi: doublePrecision("psi").notNull(),
    js: doublePrecision("js").notNull(),
    /** The bounds it was judged against and the window it was computed over. */
    evidence: jsonb("evidence").$type<{ psiAlarm: number; jsAlarm: number; window: string; rows: number; reference: number[]; current: number[]; labels: string[] }>().notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    webhook: jsonb("webhook").$type<{ status: "sent" | "failed" | "none"; attempts?: number; error?: string; at?: string }>(),
  },
  (t) => [
    uniqueIndex("monitor_alarm_open_uq").on(t.endpointId, t.modelVersionId, t.subject).where(sql`resolved_at is null`),
    index("monitor_alarm_endpoint_idx").on(t.endpointId, t.openedAt),
  ],
);

export interface RetrainDecision {
  at: string;
  step: "alarm" | "retrain" | "gate" | "shadow" | "promote" | "keep" | "failed";
  /** What was decided, in words ("challenger v3 beats champion v2 by 0.021 accuracy on 240 held-out rows"). */
  text: string;
  evidence?: Record<string, unknown>;
}

/**
 * A retraining loop an alarm started (a Temporal workflow): retrain on fresh data, gate the
 * challenger against the champion on the same holdout, shadow it, then promote or keep — each
 * decision recorded with its evidence.
 */
export const retrainings = pgTable(
  "retraining",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => endpoints.id, { onDelete: "cascade" }),
    alarmId: uuid("alarm_id"),
    runId: uuid("run_id"),
    /** The retraining run's input (kept so a retried start hands the workflow the same run). */
    run: jsonb("run").$type<{ runId: string; plan: ExecutionPlan }>(),
    championVersionId: uuid("champion_version_id"),
    challengerVersionId: uuid("challenger_version_id"),
    status: text("status").$type<"retraining" | "gating" | "shadowing" | "promoted" | "kept" | "failed">().notNull().default("retraining"),
    decisions: jsonb("decisions").$type<RetrainDecision[]>().notNull().default([]),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("retraining_endpoint_idx").on(t.endpointId, t.startedAt), uniqueIndex("retraining_alarm_uq").on(t.alarmId)],
);
