/**
 * Domain errors: what services, executors and the serving runtime throw. They say what went
 * wrong in Millrace's terms; the HTTP edge (REST and tRPC alike) maps each kind to a status in
 * one place (`server/http/errors.ts`), and the worker treats every kind but `unavailable` as
 * deterministic (never retried).
 */

export type ErrorKind =
  | "not-found"
  | "invalid"
  | "conflict"
  | "unavailable"
  | "too-large"
  | "unsupported-media-type"
  | "client-closed"
  | "unauthenticated"
  | "forbidden"
  | "rate-limited";

/** One problem pinned to where it is: a node and config field, a request field, a CSV line. */
export interface FieldProblem {
  nodeId?: string | null;
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /**
   * Structured details that travel with the message (for example `errors` naming each node and
   * field, or the CSV `line`). They become fields of the REST error body and of tRPC's error data.
   */
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly kind = "not-found";
}

/** No signed-in user or valid token where one is needed. */
export class UnauthenticatedError extends DomainError {
  readonly kind = "unauthenticated";
}

/** Signed in, but not allowed to do this here. */
export class ForbiddenError extends DomainError {
  readonly kind = "forbidden";
}

/** The input is wrong; `details.errors` (when given) names each field at fault. */
export class InvalidError extends DomainError {
  readonly kind = "invalid";
  static withProblems(message: string, errors: FieldProblem[], details: Record<string, unknown> = {}) {
    return new InvalidError(message, { ...details, errors });
  }
}

export class ConflictError extends DomainError {
  readonly kind = "conflict";
}

/** A service Millrace depends on (Temporal, Postgres) cannot be reached: worth retrying later. */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
}

export class TooLargeError extends DomainError {
  readonly kind = "too-large";
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = "unsupported-media-type";
}

/** Too many requests for a caller's limit; `retryAfter` seconds until the next one is allowed. */
export class RateLimitedError extends DomainError {
  readonly kind = "rate-limited";
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super(message, { retryAfter });
  }
}

/** The client went away before its request was read: nobody to answer, and not the server's fault. */
export class ClientClosedError extends DomainError {
  readonly kind = "client-closed";
}

/**
 * A problem with the user's data or config found while a node runs (a single-class target, a
 * missing column). Shown on the node; the run fails at once instead of retrying.
 */
export class UserError extends InvalidError {}

/** Whether retrying the same work could succeed: not for anything the user's input caused. */
export const isDeterministic = (e: unknown) => e instanceof DomainError && e.kind !== "unavailable";

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * A message with the first problems it carries, for places that keep one line of text (a failed
 * scheduled run, a trigger): "the pipeline does not compile (train: column 'target' is not in the input; …)".
 */
export function messageWithProblems(e: unknown, max = 3): string {
  const problems = e instanceof InvalidError && Array.isArray(e.details.errors) ? (e.details.errors as FieldProblem[]) : [];
  const shown = problems.slice(0, max).map((p) => `${p.nodeId ? `${p.nodeId}: ` : ""}${p.message}`);
  if (problems.length > max) shown.push(`${problems.length - max} more`);
  return `${messageOf(e)}${shown.length ? ` (${shown.join("; ")})` : ""}`;
}
