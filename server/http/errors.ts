/** An error that maps to a 4xx response with a JSON body; anything else is a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? `HTTP ${status}`));
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** Reads a JSON body, answering 415 for another content type and 400 for malformed JSON. */
export async function readJson(req: Request, maxBytes = 10 * 1024 * 1024): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, { error: `expected content-type application/json, got ${type || "none"}` });
  }
  const text = await req.text();
  if (text.length > maxBytes) throw new HttpError(413, { error: `body larger than ${maxBytes} bytes` });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, { error: `body is not valid JSON: ${(e as Error).message}` });
  }
}

/** Wraps a route handler: HttpErrors become their response; anything else is logged as a 500. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof HttpError) return json(e.body, e.status);
      console.error("[api] unhandled error", e);
      return json({ error: "internal error" }, 500);
    }
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string | undefined): id is string => !!id && UUID.test(id);

/** Ids in paths are UUIDs; anything else cannot exist, so it is a 404 rather than a database error. */
export function requireUuid(id: string, what: string): string {
  if (!isUuid(id)) throw new HttpError(404, { error: `${what} ${id} not found` });
  return id;
}
