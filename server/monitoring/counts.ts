/**
 * The per-minute monitoring rows: serving processes add their windows to the current minute's row
 * (several processes add to the same row, one at a time under its row lock); the monitoring page,
 * drift and alarms sum the rows of a window. A window by time sums its minutes; a window by
 * request count sums minutes newest first until it holds that many rows.
 */
import { and, desc, eq, gte, lt } from "drizzle-orm";
import type { Db } from "~/db/client";
import { monitorCounts } from "~/db/schema";
import { addCounts, emptyCounts, type WindowCounts } from "~/lib/monitoring";

const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000);

/** Adds counts to the row of the current minute (`at`) for this endpoint, model version and role. */
export async function flushWindow(db: Db, endpointId: string, modelVersionId: string, role: "live" | "shadow", counts: WindowCounts, at = new Date()) {
  const minute = minuteOf(at);
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(monitorCounts).values({ endpointId, modelVersionId, role, minute, counts }).onConflictDoNothing().returning({ minute: monitorCounts.minute });
    if (inserted.length) return;
    const key = and(eq(monitorCounts.endpointId, endpointId), eq(monitorCounts.modelVersionId, modelVersionId), eq(monitorCounts.role, role), eq(monitorCounts.minute, minute));
    const [row] = await tx.select({ counts: monitorCounts.counts }).from(monitorCounts).where(key).for("update");
    await tx.update(monitorCounts).set({ counts: addCounts(row!.counts, counts) }).where(key);
  });
}

export interface CountsRow {
  modelVersionId: string;
  role: "live" | "shadow";
  minute: Date;
  counts: WindowCounts;
}

/** The rows of an endpoint between two times (the monitoring page's range), oldest first. */
export async function countsBetween(db: Db, endpointId: string, from: Date, to: Date): Promise<CountsRow[]> {
  return db
    .select({ modelVersionId: monitorCounts.modelVersionId, role: monitorCounts.role, minute: monitorCounts.minute, counts: monitorCounts.counts })
    .from(monitorCounts)
    .where(and(eq(monitorCounts.endpointId, endpointId), gte(monitorCounts.minute, minuteOf(from)), lt(monitorCounts.minute, to)))
    .orderBy(monitorCounts.minute);
}

export type WindowSpec = { minutes: number } | { requests: number };

/**
 * One model version's counts over a window: the last `minutes`, or the newest minutes holding at
 * least `requests` scored rows (at most a day's worth of minutes are read for it).
 */
export async function windowCounts(db: Db, endpointId: string, modelVersionId: string, role: "live" | "shadow", window: WindowSpec, now = new Date()): Promise<WindowCounts> {
  const key = and(eq(monitorCounts.endpointId, endpointId), eq(monitorCounts.modelVersionId, modelVersionId), eq(monitorCounts.role, role));
  const total = emptyCounts();
  if ("minutes" in window) {
    const rows = await db
      .select({ counts: monitorCounts.counts })
      .from(monitorCounts)
      .where(and(key, gte(monitorCounts.minute, minuteOf(new Date(now.getTime() - window.minutes * 60_000)))));
    for (const r of rows) addCounts(total, r.counts);
    return total;
  }
  const rows = await db.select({ counts: monitorCounts.counts }).from(monitorCounts).where(key).orderBy(desc(monitorCounts.minute)).limit(1440);
  for (const r of rows) {
    addCounts(total, r.counts);
    if (total.rows >= window.requests) break;
  }
  return total;
}
