/**
 * The web process, owning the public port: a plain `node:http` server that sees every request
 * first, before anything reads its body. Prediction traffic (and `/metrics`) is answered here by
 * the serving runtime (server/serving/), from memory, in a process without Next. Everything else
 * passes the guard (`server/http/guard.ts`: foreign hosts, cross-site state changes and methods a
 * route does not have, TRACE included, are refused), gets the security headers — pages a CSP
 * whose script nonce Next applies to its own scripts — and goes to the app process (Next,
 * server/web/app.ts) over a Unix socket. While the app process restarts, endpoints keep
 * answering and everything else gets a 503 with Retry-After.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { env } from "~/lib/env";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { db } from "~/db/client";
import { checkRequest, hostAllowed, securityHeaders, type GuardConfig } from "../http/guard";
import { serveRequest } from "../serving/http";
import { servingRuntime } from "../serving/instance";
import { fireTriggers } from "../schedules/triggers";
import { evaluateAlarms } from "../monitoring/alarms";
import { artifactStore } from "~/workflows/artifacts";
import { messageOf } from "~/lib/errors";
import { exitOnSignal } from "../http/shutdown";
import { appProxy } from "./proxy";
import { privateAppSocketPath } from "./socket";

function requestHeaders(req: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  return h;
}

async function main() {
  const e = env();
  const dev = process.argv.includes("--dev");
  const guard: GuardConfig = { allowedHosts: e.allowedHosts, dev };
  const app = appProxy(privateAppSocketPath(e.dataDir));
  // Endpoints (and /metrics) are answered in this process, from memory; Next never sees them.
  const { runtime } = servingRuntime();
  const database = db();
  const hosts = new Map<string, boolean>();
  const knownHost = (host: string | undefined) => {
    const key = host ?? "";
    let ok = hosts.get(key);
    if (ok === undefined) {
      ok = hostAllowed(key, guard);
      if (hosts.size < 1000) hosts.set(key, ok);
    }
    return ok;
  };

  // Request lines and headers up to 64 KiB (Node's default is 16): a long query string then gets
  // the route's own 400 naming the parameter, not a bare 431 from the HTTP parser.
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    // A path with a malformed escape (%ZZ) names nothing: a 400 here, instead of Next failing to decode it.
    try {
      decodeURIComponent(pathname);
    } catch {
      res.writeHead(400, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: "the path has a malformed percent-escape" }));
      return;
    }
    if (knownHost(req.headers.host)) {
      if (serveRequest(runtime, database, req, res, pathname)) return;
      if (pathname.startsWith("/v2/")) {
        // The Open Inference Protocol's namespace answers JSON, not the app's HTML 404 page.
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `no route ${pathname} (Open Inference Protocol: /v2/health/{live,ready}, /v2/models/<slug>[/versions/<v>][/ready|/infer])` }));
        return;
      }
    }
    const nonce = randomBytes(16).toString("base64");
    const headers = securityHeaders(nonce, guard);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const verdict = checkRequest({ method: req.method ?? "GET", url: `http://localhost${req.url ?? "/"}`, headers: requestHeaders(req) }, guard);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { "content-type": "application/json", ...verdict.headers });
      res.end(JSON.stringify({ error: verdict.error }));
      return;
    }
    // The client's address, as rate limits see it: the socket's, or behind a proxy the address
    // that proxy appended to TRUSTED_PROXY_HEADER (the last one: the entries before it are the
    // client's to write). Whatever the client sent under our own header name is dropped.
    const forwarded = e.TRUSTED_PROXY_HEADER ? req.headers[e.TRUSTED_PROXY_HEADER.toLowerCase()] : undefined;
    const fromProxy = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded)?.split(",").at(-1)?.trim();
    // Next reads the policy from the request to put the nonce on the scripts it renders.
    const set: Record<string, string> = { [CLIENT_IP_HEADER]: fromProxy || req.socket.remoteAddress || "unknown" };
    const csp = headers["content-security-policy"];
    if (csp) set["content-security-policy"] = csp;
    app.request(req, res, set);
  });
  // Development's hot reload socket (the only upgrade Millrace has), for our own hosts only.
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!knownHost(req.headers.host)) return void socket.destroy();
    app.upgrade(req, socket, head, { [CLIENT_IP_HEADER]: req.socket.remoteAddress || "unknown" });
  });
  server.listen(e.PORT, e.HOST, () => console.log(`[web] listening on http://${e.HOST}:${e.PORT}${dev ? " (development)" : ""}`));
  // Dataset triggers an upload did not fire (the process handling it died in between).
  const sweep = setInterval(() => void fireTriggers(database).catch((err: unknown) => console.error("[triggers]", messageOf(err))), e.TRIGGER_SWEEP_MS);
  sweep.unref();
  // Drift over each monitored endpoint's window: gauges, alarms, webhooks.
  const judge = setInterval(
    () => void evaluateAlarms(database, artifactStore()).catch((err: unknown) => console.error("[monitor]", messageOf(err))),
    e.MONITOR_EVAL_MS,
  );
  judge.unref();
  // Queued prediction log rows are written before the process goes.
  exitOnSignal(server, async () => {
    app.close();
    await runtime.stop();
  });
}

main().catch((err: unknown) => {
  console.error("[web] fatal:", err);
  process.exit(1);
});
