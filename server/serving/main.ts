/**
 * `npm run serve`: the serving runtime alone, stateless — run as many as you like behind a load
 * balancer, each pointed at the same Postgres (DATABASE_URL) and artifact store. It answers the
 * serving routes (server/serving/http.ts), `/metrics` (its own counters) and nothing else.
 */
import http from "node:http";
import { db } from "~/db/client";
import { env } from "~/lib/env";
import { exitOnSignal } from "../http/shutdown";
import { serveRequest } from "./http";
import { servingRuntime } from "./instance";

const e = env();
const { runtime, started } = servingRuntime();

const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const pathname = q < 0 ? url : url.slice(0, q);
  if (serveRequest(runtime, db(), req, res, pathname)) return;
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: `no route ${pathname} (this is the serving runtime: /api/v1/endpoints/<slug>/…, /v2/…, /metrics)` }));
});
server.keepAliveTimeout = 65_000;

void started.then(() => {
  server.listen(e.SERVE_PORT, e.HOST, () => console.log(`[serve] listening on http://${e.HOST}:${e.SERVE_PORT}`));
});

// Requests in flight are answered (and logged) before the queued log rows are written.
exitOnSignal(server, () => runtime.stop());
