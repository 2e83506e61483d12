/**
 * tRPC, in three parts: context, init, procedures. tRPC is the UI's API; scripts and CI use
 * the REST API under /api/v1. Both answer a domain error with the same status
 * (`errorStatus` in server/http/errors.ts).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { db } from "~/db/client";
import { withoutLocalPaths } from "~/lib/env";
import { DomainError } from "~/lib/errors";
import { errorStatus } from "../http/errors";

// 1. Context
export const createContext = async () => ({ db: db() });
type Context = Awaited<ReturnType<typeof createContext>>;

// 2. Init: the error's structured details (e.g. `errors` naming nodes and fields) travel in `data`;
// an input that fails its schema reads like any other invalid input, not like a zod dump.
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => {
    const cause = error.cause;
    if (cause instanceof DomainError) {
      return { ...shape, message: withoutLocalPaths(shape.message), data: { ...shape.data, kind: cause.kind, ...cause.details } };
    }
    if (cause instanceof z.ZodError) {
      const errors = cause.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      return { ...shape, message: errors.map((e) => e.message).join("; "), data: { ...shape.data, kind: "invalid", errors } };
    }
    return shape;
  },
});
export const createTRPCRouter = t.router;

/** Domain errors thrown by services become the tRPC code of their kind. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: errorStatus[cause.kind].trpc, message: cause.message, cause });
  }
  return result;
});

// 3. Procedures. Millrace has no user accounts yet; every procedure is public.
export const publicProcedure = t.procedure.use(domainErrors);
