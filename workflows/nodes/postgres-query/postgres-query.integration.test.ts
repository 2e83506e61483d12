/**
 * The PostgreSQL source against a real Postgres: a database of its own in the test server,
 * reached as a data source would be. Loopback is allowed here only through PRIVATE_SOURCE_HOSTS.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env, setEnv } from "~/lib/env";
import { UserError } from "~/lib/errors";
import { tempStore } from "~/workflows/artifacts/testing";
import { describeQuery } from "~/workflows/data/postgres-source";
import { readRows, runExecutor } from "../testing";
import { executor } from "./execute";

const { store, cleanup } = tempStore();
const sourceDb = `millrace_source_${process.pid}`;
let admin: postgres.Sql;
let connection: string;

beforeAll(async () => {
  admin = postgres(env().databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${sourceDb}`);
  const url = new URL(env().databaseUrl);
  url.pathname = `/${sourceDb}`;
  connection = url.toString();
  const src = postgres(connection, { max: 1, onnotice: () => {} });
  await src.unsafe(`
    create table sales (id int primary key, amount numeric(10,2), ratio double precision, big bigint, paid boolean, region text, at timestamptz, day date);
    insert into sales values
      (1, 10.50, 0.25, 9007199254740993, true, 'north', '2024-01-01T10:00:00Z', '2024-01-01'),
      (2, null, 0.5, 2, false, 'south', null, '2024-02-29'),
      (3, 7, null, null, null, null, '2024-03-01T23:59:59Z', null);
    create sequence counter;`);
  await src.end();
  setEnv({ PRIVATE_SOURCE_HOSTS: new URL(env().databaseUrl).hostname });
});

afterAll(async () => {
  cleanup();
  setEnv({ PRIVATE_SOURCE_HOSTS: undefined });
  await admin.unsafe(`drop database if exists ${sourceDb} with (force)`);
  await admin.end();
});

const run = (config: Record<string, unknown>, secretValue = connection) => runExecutor(store, executor, { connectionSecret: "SALES_DB", ...config }, {}, { secrets: { SALES_DB: secretValue } });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

describe("postgres-query on a real Postgres", () => {
  it("describes a query without running it, typing numbers, booleans and text", async () => {
    const columns = await describeQuery(connection, "select id, amount, ratio, big, paid, region, at, day from sales;");
    expect(columns).toEqual([
      { name: "id", type: "number", nullable: true },
      { name: "amount", type: "number", nullable: true },
      { name: "ratio", type: "number", nullable: true },
      { name: "big", type: "number", nullable: true },
      { name: "paid", type: "boolean", nullable: true },
      { name: "region", type: "string", nullable: true },
      { name: "at", type: "string", nullable: true },
      { name: "day", type: "string", nullable: true },
    ]);
    expect((await failure(describeQuery(connection, "select 1, 2")))?.message).toBe("every column of the query needs a name: add `AS name` to computed columns");
    expect((await failure(describeQuery(connection, "select id, id from sales")))?.message).toBe("the query returns two columns named 'id'; give them different names with AS");
    expect((await failure(describeQuery(connection, "select nope from sales")))?.message).toMatch(/^the query failed: column "nope" does not exist/);
  });

  it("streams the rows into a dataset, with nulls, and dates as Postgres writes them", async () => {
    const query = "select id, amount, paid, region, at, day from sales order by id";
    const columns = await describeQuery(connection, query);
    const { outputs, metrics } = await run({ query, columns });
    expect(metrics).toEqual({ rows: 3 });
    expect(await readRows(store, outputs.dataset!)).toEqual([
      { id: 1, amount: 10.5, paid: true, region: "north", at: "2024-01-01 10:00:00+00", day: "2024-01-01" },
      { id: 2, amount: null, paid: false, region: "south", at: null, day: "2024-02-29" },
      { id: 3, amount: 7, paid: null, region: null, at: "2024-03-01 23:59:59+00", day: null },
    ]);
  });

  it("runs read-only, one statement, under its timeout and row limit", async () => {
    const one = [{ name: "n", type: "number" as const, nullable: true }];
    const write = await failure(run({ query: "select nextval('counter') as n", columns: one }));
    expect(write).toBeInstanceOf(UserError);
    expect(write?.message).toBe("the query tried to write; a PostgreSQL source runs read-only");

    const second = await failure(run({ query: "select 1 as n; drop table sales", columns: one }));
    expect(second).toBeInstanceOf(UserError);
    const src = postgres(connection, { max: 1, onnotice: () => {} });
    expect((await src`select count(*)::int as n from sales`)[0]!.n).toBe(3);
    await src.end();

    const slow = await failure(run({ query: "select 1 as n from pg_sleep(3)", columns: one, timeoutSeconds: 1 }));
    expect(slow?.message).toBe("the query ran longer than its timeout (1 s)");

    const many = await failure(run({ query: "select id as n from sales", columns: one, maxRows: 2 }));
    expect(many?.message).toBe("the query returned more than 2 rows (the node's row limit)");

    const none = await failure(run({ query: "select id as n from sales where false", columns: one }));
    expect(none?.message).toBe("the query returned no rows");
  });

  it("fails when the query's columns changed since Describe, naming both", async () => {
    const e = await failure(run({ query: "select id, region from sales", columns: [{ name: "id", type: "number", nullable: true }] }));
    expect(e?.message).toBe("the query now returns id:number, region:string, not the columns the pipeline was built with (id:number); describe the query again");
  });

  it("refuses loopback hosts unless allowed, and Millrace's own database always", async () => {
    setEnv({ PRIVATE_SOURCE_HOSTS: undefined });
    const host = new URL(connection).hostname;
    expect((await failure(describeQuery(connection, "select 1 as a")))?.message).toBe(
      `the database host '${host}' is on a private or loopback address; the server's administrator can allow it by adding the host to PRIVATE_SOURCE_HOSTS`,
    );
    setEnv({ PRIVATE_SOURCE_HOSTS: host });
    expect((await failure(describeQuery(env().databaseUrl, "select 1 as a")))?.message).toBe("the connection secret points at Millrace's own database, which pipelines may not read");
    expect((await failure(describeQuery("mysql://x@db.example/y", "select 1 as a")))?.message).toBe("the connection secret must be a postgres:// URL");
    expect((await failure(describeQuery(`${connection}?host=/var/run/postgresql`, "select 1 as a")))?.message).toBe(
      "the connection secret may not name a socket or another host in its parameters",
    );
  });
});
