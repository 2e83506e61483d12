/**
 * A PostgreSQL query as a data source. The connection string comes from a workspace secret; the
 * query runs in a read-only transaction under a statement timeout, one SELECT at a time, and its
 * rows stream through a cursor into DuckDB and out as Parquet. Hosts on private, loopback or
 * link-local addresses are refused unless PRIVATE_SOURCE_HOSTS lists them, and Millrace's own
 * database is refused always: a pipeline must not read the users, sessions and secrets tables.
 */
import postgres from "postgres";
import { env } from "~/lib/env";
import { UserError } from "~/lib/errors";
import type { ColumnSchema, ColumnType } from "~/lib/pipeline/document";
import { quoteIdent, type Duck } from "./duck";
import { checkedAddresses, isLoopback, resolveHost } from "./network";

interface SourceTarget {
  url: URL;
  /** The address the check passed for; the connection goes there, so DNS cannot change it afterwards. */
  address: string;
  port: number;
  database: string;
}

/** Where a connection string points, checked against the rules above. */
async function sourceTarget(connection: string): Promise<SourceTarget> {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    throw new UserError("the connection secret is not a URL; use postgres://user:password@host:5432/database");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new UserError("the connection secret must be a postgres:// URL");
  if (url.searchParams.has("host")) throw new UserError("the connection secret may not name a socket or another host in its parameters");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host) throw new UserError("the connection secret names no host");
  const port = Number(url.port || 5432);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username);
  const e = env();
  const addresses = await checkedAddresses(host, "database");
  const address = addresses[0]!;
  const own = new URL(e.databaseUrl);
  const ownAddresses = await resolveHost(own.hostname.replace(/^\[|\]$/g, "")).catch(() => [own.hostname]);
  const ownDatabase = decodeURIComponent(own.pathname.replace(/^\//, ""));
  if (Number(own.port || 5432) === port && database === ownDatabase && addresses.some((a) => ownAddresses.includes(a) || (isLoopback(a) && ownAddresses.some(isLoopback)))) {
    throw new UserError("the connection secret points at Millrace's own database, which pipelines may not read");
  }
  return { url, address, port, database };
}


/** OIDs of the numeric and boolean types; every other type is text to Millrace. */
const NUMBER_OIDS = new Set([20, 21, 23, 26, 700, 701, 1700]);
const BOOLEAN_OID = 16;
const typeOf = (oid: number): ColumnType => (NUMBER_OIDS.has(oid) ? "number" : oid === BOOLEAN_OID ? "boolean" : "string");

/** Dates, times and timestamps come through as Postgres writes them, not as JS Dates in a time zone. */
const TEXT_TYPES = { timestamps: { to: 1184, from: [1082, 1083, 1114, 1184, 1266], serialize: (x: unknown) => String(x), parse: (x: string) => x } };

function connect(target: SourceTarget, timeoutSeconds: number) {
  const ssl = target.url.searchParams.get("sslmode");
  const options: postgres.Options<Record<string, postgres.PostgresType>> = {
    host: target.address,
    port: target.port,
    database: target.database,
    username: decodeURIComponent(target.url.username) || undefined,
    password: decodeURIComponent(target.url.password) || undefined,
    ssl: ssl === "require" || ssl === "verify-full" ? { servername: target.url.hostname, rejectUnauthorized: ssl === "verify-full" } : ssl === "prefer" ? "prefer" : false,
    max: 1,
    connect_timeout: Math.min(timeoutSeconds, 30),
    idle_timeout: 5,
    prepare: false,
    fetch_types: false,
    types: TEXT_TYPES,
    onnotice: () => {},
    connection: { application_name: "millrace", statement_timeout: timeoutSeconds * 1000, idle_in_transaction_session_timeout: timeoutSeconds * 1000 + 5000 },
  };
  return postgres(options);
}

/** The query as one read-only SELECT with a row cap: a trailing semicolon is dropped, a second statement is refused by Postgres. */
const wrapped = (query: string, limit: number) => `SELECT * FROM (${query.trim().replace(/;\s*$/, "")}\n) AS millrace_source LIMIT ${limit}`;

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "CONNECT_TIMEOUT", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);

/** What Postgres says, in words for the node's error (never the connection string). */
function sourceError(e: unknown, timeoutSeconds: number): unknown {
  const err = e as { code?: string; message?: string };
  if (err.code === "57014") return new UserError(`the query ran longer than its timeout (${timeoutSeconds} s)`);
  if (err.code === "25006") return new UserError("the query tried to write; a PostgreSQL source runs read-only");
  if (err.code === "28P01" || err.code === "28000") return new UserError("the database refused the connection secret's user or password");
  if (err.code === "3D000") return new UserError("the connection secret names a database that does not exist");
  if (err.code && /^(42|22|0A|2B|3F|54)/.test(err.code)) return new UserError(`the query failed: ${err.message}`);
  if (err.code && NETWORK_CODES.has(err.code)) return new UserError(`cannot reach the database (${err.code})`);
  if (/SSL|TLS|certificate/i.test(err.message ?? "")) return new UserError(`the database's TLS did not work: ${err.message}; check sslmode in the connection secret`);
  return e;
}

/** The columns a query returns, without running it (Postgres describes the prepared statement). */
export async function describeQuery(connection: string, query: string, timeoutSeconds = 15): Promise<ColumnSchema[]> {
  if (!query.trim()) throw new UserError("the query is empty");
  const sql = connect(await sourceTarget(connection), timeoutSeconds);
  try {
    const described = await sql.begin("read only", (tx) => tx.unsafe(wrapped(query, 0)).describe());
    const columns = described.columns ?? [];
    checkNames(columns.map((c) => c.name));
    return columns.map((c) => ({ name: c.name, type: typeOf(c.type), nullable: true }));
  } catch (e) {
    throw sourceError(e, timeoutSeconds);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function checkNames(names: string[]) {
  const seen = new Set<string>();
  for (const n of names) {
    if (!n || n === "?column?") throw new UserError("every column of the query needs a name: add `AS name` to computed columns");
    if (seen.has(n)) throw new UserError(`the query returns two columns named '${n}'; give them different names with AS`);
    seen.add(n);
  }
}

const pgTypeFor: Record<ColumnType, string> = { number: "DOUBLE", boolean: "BOOLEAN", string: "VARCHAR" };

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return `\\x${value.toString("hex")}`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Runs the query and appends its rows to a new DuckDB table `table`, checking them against the
 * columns the pipeline was compiled with. Returns the row count.
 */
export async function queryIntoTable(
  conn: Duck,
  table: string,
  opts: { connection: string; query: string; timeoutSeconds: number; maxRows: number; expected: ColumnSchema[]; signal: AbortSignal; heartbeat: () => void },
): Promise<number> {
  const sql = connect(await sourceTarget(opts.connection), opts.timeoutSeconds);
  const abort = () => void sql.end({ timeout: 0 });
  opts.signal.addEventListener("abort", abort, { once: true });
  let rows = 0;
  try {
    await sql.begin("read only", async (tx) => {
      const columns = (await tx.unsafe(wrapped(opts.query, 0)).describe()).columns ?? [];
      const actual = columns.map((c) => ({ name: c.name, type: typeOf(c.type) }));
      const differs = actual.length !== opts.expected.length || actual.some((c, i) => c.name !== opts.expected[i]!.name || c.type !== opts.expected[i]!.type);
      if (differs) {
        throw new UserError(
          `the query now returns ${actual.map((c) => `${c.name}:${c.type}`).join(", ")}, not the columns the pipeline was built with (${opts.expected.map((c) => `${c.name}:${c.type}`).join(", ")}); describe the query again`,
        );
      }
      await conn.run(`CREATE TABLE ${quoteIdent(table)} (${actual.map((c) => `${quoteIdent(c.name)} ${pgTypeFor[c.type]}`).join(", ")})`);
      const appender = await conn.createAppender(table);
      try {
        await tx.unsafe(wrapped(opts.query, opts.maxRows + 1)).cursor(2000, (batch) => {
          rows += batch.length;
          if (rows > opts.maxRows) throw new UserError(`the query returned more than ${opts.maxRows} rows (the node's row limit)`);
          for (const row of batch) {
            for (const c of actual) {
              const v = (row as Record<string, unknown>)[c.name];
              if (v === null || v === undefined) appender.appendNull();
              else if (c.type === "number") appender.appendDouble(Number(v));
              else if (c.type === "boolean") appender.appendBoolean(Boolean(v));
              else appender.appendVarchar(text(v));
            }
            appender.endRow();
          }
          appender.flushSync();
          opts.heartbeat();
        });
      } finally {
        appender.closeSync();
      }
    });
  } catch (e) {
    throw sourceError(e, opts.timeoutSeconds);
  } finally {
    opts.signal.removeEventListener("abort", abort);
    await sql.end({ timeout: 1 });
  }
  if (rows === 0) throw new UserError("the query returned no rows");
  return rows;
}
