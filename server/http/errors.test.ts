/** One error model: every domain error answers the same status over REST and over tRPC. */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ClientClosedError,
  ConflictError,
  DomainError,
  InvalidError,
  NotFoundError,
  TooLargeError,
  UnavailableError,
  UnsupportedMediaTypeError,
  UserError,
} from "~/lib/errors";
import { createTRPCRouter, publicProcedure } from "../api/trpc";
import { handle, isUnavailable } from "./errors";

const cases: [DomainError, number][] = [
  [new NotFoundError("pipeline p not found"), 404],
  [InvalidError.withProblems("the pipeline does not compile", [{ nodeId: "train", path: "config.target", message: "column 'x' is not in the input" }]), 400],
  [new UserError("target column 'y' has a single class"), 400],
  [new ConflictError("version 3 was saved meanwhile"), 409],
  [new TooLargeError("body larger than 10 bytes"), 413],
  [new UnsupportedMediaTypeError("expected content-type application/json, got text/plain"), 415],
  [new UnavailableError("Temporal at 127.0.0.1:1 is unavailable"), 503],
  [new ClientClosedError("the client closed the request before sending all of it"), 499],
];

let current: DomainError;
const router = createTRPCRouter({
  fail: publicProcedure.mutation(() => Promise.reject(current)),
  named: publicProcedure.input(z.object({ name: z.string().min(1, "name is required") })).mutation(() => "ok"),
});

async function viaTrpc(e: DomainError, path = "fail", input: unknown = {}) {
  current = e;
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router,
    req: new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) }),
    createContext: () => ({}) as never,
  });
  // superjson (the UI's transformer) wraps the error shape in `json`.
  const body = (await res.json()) as { error: { json: { message: string; data: Record<string, unknown> } } };
  return { status: res.status, error: body.error.json };
}

describe("domain errors at the HTTP edge", () => {
  it.each(cases.map(([e, status]) => [e.constructor.name, status, e] as const))("%s answers %i over REST and tRPC", async (_name, status, e) => {
    const rest = await handle(() => Promise.reject(e))();
    expect(rest.status).toBe(status);
    expect(await rest.json()).toEqual({ error: e.message, ...e.details });

    const trpc = await viaTrpc(e);
    expect(trpc.status).toBe(status);
    expect(trpc.error.message).toBe(e.message);
    expect(trpc.error.data).toMatchObject({ kind: e.kind, httpStatus: status, ...e.details });
  });

  it("reads an input that fails its schema as an invalid input naming the field, not as a zod dump", async () => {
    const res = await viaTrpc(new NotFoundError("unused"), "named", { name: "" });
    expect(res.status).toBe(400);
    expect(res.error.message).toBe("name is required");
    expect(res.error.data).toMatchObject({ kind: "invalid", errors: [{ path: "name", message: "name is required" }] });
  });

  it("answers 503 when the database cannot be reached", async () => {
    const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const rest = await handle(() => Promise.reject(down))();
    expect(rest.status).toBe(503);
    expect(await rest.json()).toEqual({ error: "the database is unavailable; try again shortly" });
  });

  it("answers 500 without details for anything that is not a domain error (a bug)", async () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      const rest = await handle(() => Promise.reject(new Error("secret internals")))();
      expect(rest.status).toBe(500);
      expect(await rest.json()).toEqual({ error: "internal error" });
    } finally {
      console.error = quiet;
    }
  });
});

describe("the database being unavailable", () => {
  it("is recognised from the driver's code, also inside a query error that wraps it", () => {
    const lost = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
    // What drizzle throws: its own error, the driver's as the cause.
    const wrapped = new Error("Failed query: select 1", { cause: lost });
    expect(isUnavailable(lost)).toBe(true);
    expect(isUnavailable(wrapped)).toBe(true);
    expect(isUnavailable(new Error("Failed query", { cause: Object.assign(new Error("syntax"), { code: "42601" }) }))).toBe(false);
    expect(isUnavailable(null)).toBe(false);
  });
});
