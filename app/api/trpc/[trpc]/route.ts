import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { env } from "~/lib/env";
import { appRouter } from "~/server/api/root";
import { createContext } from "~/server/api/trpc";
import { jsonText, readBody } from "~/server/http/body";
import { errorResponse } from "~/server/http/errors";

export const dynamic = "force-dynamic";

const handler = async (req: Request) => {
  let request = req;
  if (req.method === "POST") {
    // The body is read within MAX_JSON_BYTES (and its nesting checked) before tRPC parses it.
    try {
      const text = jsonText(await readBody(req, env().MAX_JSON_BYTES, "MAX_JSON_BYTES"));
      request = new Request(req.url, { method: "POST", headers: req.headers, body: text });
    } catch (e) {
      return errorResponse(e);
    }
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext,
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path}:`, error.cause ?? error);
    },
  });
};

export { handler as GET, handler as POST };
