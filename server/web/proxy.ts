/**
 * The front process's way to the app process (Next, server/web/app.ts): requests and upgrades
 * passed over a Unix socket, bodies streamed both ways (uploads and server-sent events are never
 * buffered), connections kept alive. While the app process is down (it crashed and the launcher
 * is bringing it back), callers get a 503 with Retry-After instead of a dropped connection.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";

/** Headers of one hop, not to be passed on (RFC 9110 §7.6.1), and Expect, which the web process has answered already. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect"];

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const out = { ...headers };
  const named = typeof headers.connection === "string" ? headers.connection.split(",").map((h) => h.trim().toLowerCase()) : [];
  for (const h of [...HOP_BY_HOP, ...named]) delete out[h];
  return out;
}

const RETRY_AFTER_S = 2;

/** The answer while the app process is away: JSON for scripts, a page that retries itself for browsers. */
function unavailable(req: IncomingMessage, res: ServerResponse) {
  if (res.headersSent) return void res.destroy();
  const html = (req.headers.accept ?? "").includes("text/html");
  const body = html
    ? `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="${RETRY_AFTER_S}"><title>Millrace is restarting</title><p style="font-family:sans-serif">Millrace's web app is restarting; this page reloads in a moment. Endpoints keep answering meanwhile.</p>`
    : JSON.stringify({ error: "the web app is restarting; try again in a moment (endpoints keep answering)" });
  res.writeHead(503, { "content-type": html ? "text/html; charset=utf-8" : "application/json", "retry-after": String(RETRY_AFTER_S), "cache-control": "no-store" });
  res.end(body);
}

export function appProxy(socketPath: string) {
  // Idle connections are closed here after a minute, before the app process closes them (it keeps
  // them 10 minutes): a request never goes out on a connection the other end is closing.
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64, timeout: 60_000 });
  return {
    /** Passes the request on with `headers` (the caller's, amended by the front) and streams the answer back. */
    request(req: IncomingMessage, res: ServerResponse, headers: http.IncomingHttpHeaders) {
      const upstream = http.request({ socketPath, agent, method: req.method, path: req.url, headers: withoutHopByHop(headers) });
      upstream.on("response", (answer) => {
        const out = withoutHopByHop(answer.headers);
        delete out["transfer-encoding"]; // this hop chunks on its own when there is no length
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out as http.OutgoingHttpHeaders);
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      });
      upstream.on("error", (err: NodeJS.ErrnoException) => {
        if (res.headersSent) return void res.destroy();
        // Nothing listening: the request never reached the app, and can simply be sent again.
        if (err.code === "ECONNREFUSED" || err.code === "ENOENT") return unavailable(req, res);
        // The connection broke under the request (the app process died while handling it, say).
        console.error("[web] app process request failed:", err.message);
        res.writeHead(502, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: "the web app closed the connection before answering (it may be restarting); the request may or may not have been carried out" }));
      });
      // A caller that goes away mid-request or mid-answer frees the app process's work too.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    },
    /** A protocol upgrade (development's hot reload socket): the raw bytes both ways once the app process accepts. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, headers: http.IncomingHttpHeaders) {
      const conn = net.connect(socketPath);
      conn.on("connect", () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) lines.push(`${k}: ${one}`);
        conn.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length) conn.write(head);
        conn.pipe(socket).pipe(conn);
      });
      conn.on("error", () => socket.destroy());
      socket.on("error", () => conn.destroy());
      socket.on("close", () => conn.destroy());
    },
    close: () => agent.destroy(),
  };
}
