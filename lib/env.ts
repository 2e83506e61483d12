/**
 * Configuration, validated once. The only module that reads `process.env` (a lint rule
 * forbids it elsewhere): web, worker, launcher and tests all read their settings from here.
 * Unset service addresses mean "use the embedded default the launcher starts".
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().positive().max(65535);

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default("default"),
  /** Unset: the default in workflows/temporal/shared.ts. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  TEMPORAL_CLI: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: port.default(8233),
  MILLRACE_DATA_DIR: z.string().min(1).default(".data"),
  ARTIFACT_STORE: z.enum(["fs", "postgres"]).default("fs"),
  EMBEDDED_PG_PORT: port.default(54329),
  EMBEDDED_TEMPORAL_PORT: port.default(7233),
  PORT: port.default(3000),
  /** The port of the standalone serving runtime (`npm run serve`); the web server serves endpoints on PORT as well. */
  SERVE_PORT: port.default(3001),
  HOST: z.string().min(1).default("127.0.0.1"),
  PUBLIC_URL: z.string().url().optional(),
  /** Host names the web server answers to, besides localhost names and PUBLIC_URL's (comma-separated; `*` for any). */
  ALLOWED_HOSTS: z.string().default(""),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  WORKER_LOG_LEVEL: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]).default("WARN"),
  TRAIN_THREADS: z.coerce.number().int().positive().optional(),
  /** Largest JSON body (predict, pipelines, the UI's calls); larger ones are refused with 413. */
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Largest dataset upload, streamed to disk as it arrives. */
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024 * 1024),
  /** DuckDB's memory for one unit of work (an import, a node); beyond it, it spills to disk. */
  DUCKDB_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, "a size such as 512MB or 2GiB").default("256MB"),
  MAX_CSV_COLUMNS: z.coerce.number().int().positive().default(2000),
  /** Longest line of a CSV (one row). */
  MAX_CSV_LINE_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /**
   * The master key (base64, 32 bytes or more): signs sessions and encrypts secrets. Unset, one is
   * generated into <data dir>/secret-key (mode 600) on first use and kept there.
   */
  MILLRACE_SECRET_KEY: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/=_-]+$/.test(v) && Buffer.from(v, "base64").length >= 32, "must be at least 32 bytes, base64 (openssl rand -base64 32)")
    .optional(),
  /** The administrator `npm start` creates on a database without users. */
  MILLRACE_ADMIN_EMAIL: z.string().email().default("admin@millrace.local"),
  MILLRACE_ADMIN_PASSWORD: z.string().min(10, "at least 10 characters").optional(),
  /** Optional sign-in with an OpenID Connect provider. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
  /** Behind a reverse proxy: the header holding the client's address (e.g. x-forwarded-for), for sign-in rate limits. */
  TRUSTED_PROXY_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).optional(),
  /** Password sign-in attempts allowed per client address per minute; the next is answered 429. */
  SIGN_IN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(5),
  /** When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  /** Longest a dataset download from a URL may take. */
  DOWNLOAD_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(300),
  /** Staged uploads not saved as datasets are removed after this many hours. */
  UPLOAD_RETENTION_HOURS: z.coerce.number().positive().default(24),
  /** Hosts on private or loopback addresses that data sources (a PostgreSQL query) may reach anyway, comma-separated. */
  PRIVATE_SOURCE_HOSTS: z.string().default(""),
  /** Days logged predictions (and their feedback) are kept; 0 keeps them forever. */
  PREDICTION_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** Rows per chunk of a batch-scoring job: each chunk is one activity, retried alone. */
  BATCH_SCORE_CHUNK_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  /** Days a finished batch-scoring job (and its scored file) is kept; 0 keeps them until deleted. */
  BATCH_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /** A cached node output not reused for this many days is forgotten; its files go with the next collection. */
  CACHE_TTL_DAYS: z.coerce.number().min(0).default(30),
  /** How often each worker collects garbage (expired cache entries, artifacts nothing holds); 0 turns it off. */
  ARTIFACT_GC_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Each worker's own /metrics (activities, their queue waits); 0 turns it off. A port in use is reported, not fatal. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** How often a retraining loop looks whether its shadow period is over. */
  RETRAIN_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** How often the web process judges drift on monitored endpoints (gauges, alarms, webhooks). */
  MONITOR_EVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How often the web process looks for dataset versions a trigger has not handled yet (an upload fires its triggers at once; this catches a miss). */
  TRIGGER_SWEEP_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** Set by npm for `npm start`: the launcher then stops when npm goes (npm does not always pass SIGTERM on). */
  npm_lifecycle_event: z.string().optional(),
  /** Set by `npm start` on the processes it launches, so they stop when it dies. */
  MILLRACE_LAUNCHER_PID: z.coerce.number().int().positive().optional(),
});

export type Env = z.infer<typeof schema> & {
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  publicUrl: string;
  /** Every host name the web server answers to. */
  allowedHosts: string[];
  privateSourceHosts: string[];
};

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Millrace configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  const allowedHosts = [
    "localhost",
    "127.0.0.1",
    "::1",
    new URL(publicUrl).hostname.replace(/^\[|\]$/g, ""),
    ...(e.HOST !== "0.0.0.0" && e.HOST !== "::" ? [e.HOST] : []),
    ...e.ALLOWED_HOSTS.split(",").map((h) => h.trim()).filter(Boolean),
  ];
  return {
    ...e,
    allowedHosts: [...new Set(allowedHosts.map((h) => h.toLowerCase()))],
    privateSourceHosts: e.PRIVATE_SOURCE_HOSTS.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
    dataDir: path.resolve(e.MILLRACE_DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? `postgres://postgres:${encodeURIComponent(embeddedPostgresPassword(path.resolve(e.MILLRACE_DATA_DIR)))}@127.0.0.1:${e.EMBEDDED_PG_PORT}/millrace`,
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.EMBEDDED_TEMPORAL_PORT}`,
    publicUrl,
  };
}

let cached: Env | undefined;
/** Read lazily so that tests and the launcher can set variables before first use. */
export function env(): Env {
  cached ??= load();
  return cached;
}

/**
 * Points this process at other settings (test set-up, the launcher handing a database URL to
 * what it starts next). Later `env()` calls see them; nothing read earlier changes.
 */
export function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  cached = undefined;
}

/** The environment for a child process: this one's, plus `overrides`. */
export function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Directories on PATH, for finding tools such as the Temporal CLI. */
export const pathDirs = () => (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);

/**
 * A message without this machine's absolute paths: files under the data directory are named
 * relative to it, anything else local loses its directory. Errors reach users and logs this way.
 */
export function withoutLocalPaths(text: string): string {
  const roots = [env().dataDir, process.cwd(), os.tmpdir()].sort((a, b) => b.length - a.length);
  let out = text;
  for (const root of roots) out = out.split(`${root}${path.sep}`).join("");
  return out;
}

/**
 * A value kept in a file of the data dir (mode 600): read it, or create it with `make()` if it is
 * not there. Several processes may start at once: the first to write wins, the rest read it.
 */
export function keptInDataDir(name: string, make: () => string, dataDir = env().dataDir): string {
  const file = path.join(dataDir, name);
  const read = () => {
    const value = fs.readFileSync(file, "utf8").trim();
    if (!value) throw new Error(`${file} is empty; remove it to have it generated again`);
    return value;
  };
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(dataDir, { recursive: true });
  // Written whole to a file of its own, then linked into place: a process that finds the file
  // finds all of it, and of two processes starting at once the first link wins.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, `${make()}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read();
}

/** The embedded Postgres's password: generated on a new cluster; `postgres` on one made before. */
function embeddedPostgresPassword(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim();
  } catch {
    return "postgres";
  }
}

/** The master key: MILLRACE_SECRET_KEY, or the one generated into the data dir. */
export function masterKey(): Buffer {
  const configured = env().MILLRACE_SECRET_KEY;
  return Buffer.from(configured ?? keptInDataDir("secret-key", () => randomBytes(32).toString("base64")), "base64");
}
