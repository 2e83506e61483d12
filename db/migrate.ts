import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDb } from "./client";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Applies the committed drizzle-kit migrations. Uses its own single connection so the
 * advisory lock (several processes may start at once) is held and released on one session.
 */
export async function applyMigrations(url: string) {
  const db = createDb(url, 1);
  try {
    await db.$sql`select pg_advisory_lock(73110001)`;
    await migrate(db, { migrationsFolder });
  } finally {
    await db.$sql.end({ timeout: 5 });
  }
}
