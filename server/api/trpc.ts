/**
 * tRPC, in three parts: context, init, procedures. tRPC is the UI's API; scripts and CI
 * use the REST API under /api/v1.
 */
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { db } from "../../db/client";

// 1. Context
export const createContext = async () => ({ db: db() });
export type Context = Awaited<ReturnType<typeof createContext>>;

// 2. Init
const t = initTRPC.context<Context>().create({ transformer: superjson });
export const createTRPCRouter = t.router;

// 3. Procedures. Millrace has no user accounts yet; every procedure is public.
export const publicProcedure = t.procedure;
