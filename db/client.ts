import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "~/lib/env";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

export function createDb(url: string, max = 10) {
  const sql = postgres(url, { max, onnotice: () => {} });
  return Object.assign(drizzle(sql, { schema }), { $sql: sql });
}

const g = globalThis as unknown as { __millraceDb?: Db };

/** One pool per process; kept on globalThis because Next may load this module twice. */
export function db(): Db {
  g.__millraceDb ??= createDb(env().databaseUrl);
  return g.__millraceDb;
}

export async function closeDb() {
  const current = g.__millraceDb;
  g.__millraceDb = undefined;
  await current?.$sql.end({ timeout: 5 });
}
