/**
 * The web process: Next.js behind a plain `node:http` server that sees every request first,
 * before anything reads its body. Here the guard (`server/http/guard.ts`) refuses foreign hosts,
 * cross-site state changes and methods a route does not have (TRACE included, which Next cannot
 * even represent), and every response gets the security headers — pages a CSP whose script
 * nonce Next applies to its own scripts.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import next from "next";
import { env } from "~/lib/env";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { checkRequest, securityHeaders, type GuardConfig } from "../http/guard";

function requestHeaders(req: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
  return h;
}

async function main() {
  const e = env();
  const dev = process.argv.includes("--dev");
  const guard: GuardConfig = { allowedHosts: e.allowedHosts, dev };
  const app = next({ dev, hostname: e.HOST, port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = http.createServer((req, res) => {
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
    req.headers[CLIENT_IP_HEADER] = fromProxy || req.socket.remoteAddress || "unknown";
    // Next reads the policy from the request to put the nonce on the scripts it renders.
    req.headers["content-security-policy"] = headers["content-security-policy"];
    handle(req, res).catch((err: unknown) => {
      console.error("[web] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    });
  });
  server.listen(e.PORT, e.HOST, () => console.log(`[web] listening on http://${e.HOST}:${e.PORT}${dev ? " (development)" : ""}`));
  const stop = () => {
    server.close(() => process.exit(0));
    // Keep-alive connections would hold close() open; they get a moment, then go.
    setTimeout(() => process.exit(0), 5000).unref();
    server.closeIdleConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error("[web] fatal:", err);
  process.exit(1);
});
