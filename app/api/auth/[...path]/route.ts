import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "~/server/auth/better-auth";
import { publicRoute } from "~/server/auth/guard";

export const dynamic = "force-dynamic";

/** Better Auth's own endpoints: sign-in, sign-out, sessions (server/auth/better-auth.ts). */
export const GET = publicRoute(async ({ req }) => toNextJsHandler(auth()).GET(req));
export const POST = publicRoute(async ({ req }) => toNextJsHandler(auth()).POST(req));
