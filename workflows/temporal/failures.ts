/** A failure's message for the user: the innermost cause of an activity failure. Deterministic (workflow-safe). */
import { ActivityFailure, ApplicationFailure } from "@temporalio/workflow";

export function describeFailure(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}
