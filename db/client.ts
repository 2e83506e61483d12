import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "~/lib/env";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

export function createDb(url: string, max = 10) {
  const sql = postgres(url, { max, onnotice: () => {} });
  return Object.assign(drizzle(sql, { schema }), { $sql: sql, $max: max });
}

const sweeps = new WeakMap<Db, { running: Promise<void>; at: number; settled: boolean }>();

/**
 * Replaces pooled connections that died with the database (a restart, a failover): a query on
 * every connection of the pool at once, so that each dead one fails here and postgres.js opens a
 * new one in its place, instead of failing a user's request later, one dead connection at a time.
 * Called when the database answers again after failing, and after a request met a lost
 * connection; at most one sweep at a time, and not more often than every 2 s.
 */
export function sweepPool(d: Db = db()): Promise<void> {
  const last = sweeps.get(d);
  if (last && (!last.settled || performance.now() - last.at < 2000)) return last.running;
  const sweep = { running: Promise.resolve(), at: performance.now(), settled: false };
  sweep.running = Promise.allSettled(Array.from({ length: d.$max }, () => d.$sql`select 1`)).then(() => {
    sweep.settled = true;
  });
  sweeps.set(d, sweep);
  return sweep.running;
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
