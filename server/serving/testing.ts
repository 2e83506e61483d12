/** A serving runtime on an ephemeral loopback port, for tests: real HTTP, real Postgres. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "~/db/client";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { serveRequest } from "./http";
import { ServingRuntime } from "./runtime";

export async function startServing(db: Db, artifacts: ArtifactStore, opts: { listen?: boolean } = {}) {
  const runtime = new ServingRuntime(db, artifacts);
  await runtime.start({ listen: opts.listen ?? true });
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    if (!serveRequest(runtime, db, req, res, pathname)) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, json: json as Record<string, unknown> & { predictions: unknown[] } };
  };
  /** Waits until the runtime serves `slug` in a state `ok` accepts (notifications arrive asynchronously). */
  const waitFor = async (slug: string, ok: (s: NonNullable<ReturnType<ServingRuntime["endpoint"]>>) => boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const s = runtime.endpoint(slug);
      if (s && ok(s)) return s;
      if (Date.now() > until) throw new Error(`endpoint '${slug}' did not reach the expected state within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    url,
    runtime,
    call,
    waitFor,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await runtime.stop();
    },
  };
}
