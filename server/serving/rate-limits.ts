/**
 * Per-key rate limits that hold across serving processes. Each process keeps a token bucket per
 * key (`rateLimit` requests per minute, refilled continuously) and answers from it at once; every
 * second it publishes how many requests it let through per key (`serving_key_use`) and takes what
 * the other processes let through since the last sync out of its own buckets. Every bucket so sees
 * all of a key's traffic — its own at once, the others' within a second — and the limit holds
 * across N processes to within one second of the others' traffic, not N times over.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { RateLimitedError } from "~/lib/errors";
import type { KeyInfo } from "./table";

/** Rows of processes silent this long are deleted (a process that stopped or died). */
const STALE_MINUTES = 10;

export class RateLimiter {
  readonly instanceId = randomUUID();
  private buckets = new Map<string, { tokens: number; at: number }>();
  /** Requests let through here since this process started, per key: what it publishes. */
  private taken = new Map<string, number>();
  private changed = new Set<string>();
  /** What each other process had let through per key when last read (`instance key`). */
  private seen = new Map<string, number>();
  private syncs = 0;

  private bucket(key: KeyInfo & { rateLimit: number }, now: number) {
    const perMs = key.rateLimit / 60_000;
    const b = this.buckets.get(key.id) ?? { tokens: key.rateLimit, at: now };
    b.tokens = Math.min(key.rateLimit, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key.id, b);
    return b;
  }

  take(key: KeyInfo) {
    if (!key.rateLimit) return;
    const b = this.bucket(key as KeyInfo & { rateLimit: number }, performance.now());
    if (b.tokens < 1) {
      const perMs = key.rateLimit / 60_000;
      throw new RateLimitedError(`key '${key.name}' is limited to ${key.rateLimit} requests per minute`, Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)));
    }
    b.tokens -= 1;
    this.taken.set(key.id, (this.taken.get(key.id) ?? 0) + 1);
    this.changed.add(key.id);
  }

  forget(ids: Set<string>) {
    for (const id of this.buckets.keys()) if (!ids.has(id)) this.buckets.delete(id);
    for (const id of this.taken.keys()) if (!ids.has(id)) this.taken.delete(id);
  }

  /** Publishes this process's counts and deducts what the other processes let through since the last sync. */
  async sync(db: Db, keys: Iterable<KeyInfo>) {
    const first = this.syncs++ === 0;
    const limited = new Map([...keys].filter((k) => k.rateLimit).map((k) => [k.id, k as KeyInfo & { rateLimit: number }]));
    if (!limited.size) return;
    const mine = [...this.changed].filter((id) => limited.has(id)).map((id) => ({ key_id: id, taken: this.taken.get(id)! }));
    this.changed.clear();
    if (mine.length) {
      await db.execute(sql`insert into serving_key_use (instance_id, key_id, taken, updated_at)
        select ${this.instanceId}, r.key_id, r.taken, now() from json_to_recordset(${JSON.stringify(mine)}::json) as r(key_id uuid, taken bigint)
        on conflict (instance_id, key_id) do update set taken = excluded.taken, updated_at = excluded.updated_at`);
    }
    const others = await db.execute<{ instance_id: string; key_id: string; taken: string }>(sql`
      select instance_id, key_id, taken::text from serving_key_use
       where key_id in (select jsonb_array_elements_text(${JSON.stringify([...limited.keys()])}::jsonb)::uuid)
         and instance_id <> ${this.instanceId} and updated_at > now() - make_interval(mins => ${STALE_MINUTES})`);
    const now = performance.now();
    for (const r of others) {
      const at = `${r.instance_id} ${r.key_id}`;
      const taken = Number(r.taken);
      const before = this.seen.get(at);
      this.seen.set(at, taken);
      // At this process's first sync every count is a baseline (what others let through before it
      // started is not this minute's). A row that appears later is new: a process publishes
      // within a second of letting a request through, so all of its count is recent.
      if (before === undefined && first) continue;
      if (taken <= (before ?? 0)) continue;
      const key = limited.get(r.key_id)!;
      const b = this.bucket(key, now);
      // At most a minute in debt: a burst elsewhere never locks a key out for longer.
      b.tokens = Math.max(-key.rateLimit, b.tokens - (taken - (before ?? 0)));
    }
    // Processes long gone: forget their last counts (bounded memory over many restarts).
    if (this.seen.size > 10_000) this.seen = new Map([...others].map((r) => [`${r.instance_id} ${r.key_id}`, Number(r.taken)]));
    if (this.syncs % 60 === 0) await db.execute(sql`delete from serving_key_use where updated_at < now() - make_interval(mins => ${STALE_MINUTES})`);
  }

  /** This process's rows go when it stops. */
  async retire(db: Db) {
    await db.execute(sql`delete from serving_key_use where instance_id = ${this.instanceId}`);
  }
}
