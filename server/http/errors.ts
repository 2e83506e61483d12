/**
 * The HTTP edge of the error model: each domain error kind has one status, used by REST route
 * handlers (`handle`) and by tRPC (server/api/trpc.ts), so the same failure answers the same
 * status everywhere. Anything that is not a domain error is a bug: logged, answered 500.
 */
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { withoutLocalPaths } from "~/lib/env";
import { z } from "zod";
import { DomainError, RateLimitedError, type ErrorKind } from "~/lib/errors";
import { sweepPool } from "~/db/client";

export const errorStatus: Record<ErrorKind, { http: number; trpc: TRPC_ERROR_CODE_KEY }> = {
  invalid: { http: 400, trpc: "BAD_REQUEST" },
  unauthenticated: { http: 401, trpc: "UNAUTHORIZED" },
  forbidden: { http: 403, trpc: "FORBIDDEN" },
  "not-found": { http: 404, trpc: "NOT_FOUND" },
  conflict: { http: 409, trpc: "CONFLICT" },
  "too-large": { http: 413, trpc: "PAYLOAD_TOO_LARGE" },
  "unsupported-media-type": { http: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  unavailable: { http: 503, trpc: "SERVICE_UNAVAILABLE" },
  "rate-limited": { http: 429, trpc: "TOO_MANY_REQUESTS" },
  // nginx's convention: recorded, never counted as a server error.
  "client-closed": { http: 499, trpc: "CLIENT_CLOSED_REQUEST" },
};

/** The JSON body of an error response: the message, and the error's structured details. */
export const errorBody = (e: DomainError) => ({ error: withoutLocalPaths(e.message), ...e.details });

/** Headers an error's status calls for: the scheme to authenticate with (RFC 6750), when to retry (RFC 9110). */
export function errorHeaders(e: DomainError): Record<string, string> {
  if (e.kind === "unauthenticated") return { "www-authenticate": 'Bearer realm="millrace"' };
  if (e instanceof RateLimitedError) return { "retry-after": String(e.retryAfter) };
  return {};
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export const UNAVAILABLE_MESSAGE = "the database is unavailable; try again shortly";

/** Connection failures to Postgres (down, restarting) are the database being unavailable, not a bug. */
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "57P01", "57P02", "57P03"]);
/** True for such a failure, also when wrapped (drizzle throws a DrizzleQueryError whose `cause` is the driver's error). */
export function isUnavailable(e: unknown): boolean {
  for (let x = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    if (UNAVAILABLE_CODES.has(String((x as { code?: unknown }).code ?? ""))) return true;
  }
  return false;
}

/**
 * The one place every HTTP edge (REST, tRPC, serving) asks whether a failure was the database
 * going away: when it was, the pool's other dead connections are swept in the background, so the
 * next requests meet live ones.
 */
export function lostDatabase(e: unknown): boolean {
  if (!isUnavailable(e)) return false;
  void sweepPool();
  return true;
}

export function errorResponse(e: unknown): Response {
  // A request body that fails its schema is invalid input, named field by field (as over tRPC).
  if (e instanceof z.ZodError) {
    const errors = e.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return json({ error: errors.map((x) => (x.path ? `${x.path}: ${x.message}` : x.message)).join("; "), errors }, 400);
  }
  // RFC 6750: a 401 names the scheme to authenticate with.
  if (e instanceof DomainError) return json(errorBody(e), errorStatus[e.kind].http, errorHeaders(e));
  if (lostDatabase(e)) return json({ error: UNAVAILABLE_MESSAGE }, 503);
  console.error("[api] unhandled error", e);
  return json({ error: "internal error" }, 500);
}

/** Wraps a route handler: domain errors become their response; anything else is logged as a 500. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (e) {
      return errorResponse(e);
    }
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string | undefined): id is string => !!id && UUID.test(id);

