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
/**
 * Headers a `Connection` list may not remove: the body's framing (without it, a body would be
 * written raw onto the kept-alive connection and read there as a request of its own) and Host.
 */
const FRAMING = new Set(["content-length", "transfer-encoding", "host"]);

/** `headers` without this hop's: the fixed ones, and those its `Connection` header names (framing kept). */
function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const out = { ...headers };
  const named = typeof headers.connection === "string" ? headers.connection.split(",").map((h) => h.trim().toLowerCase()) : [];
  for (const h of HOP_BY_HOP) delete out[h];
  for (const h of named) if (!FRAMING.has(h)) delete out[h];
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
    /**
     * Passes the request on — the caller's headers without this hop's, then the web process's own
     * `set` (which nothing the caller sends can remove) — and streams the answer back. The body's
     * framing goes as the caller sent it (Node's parser has checked it), so the app process reads
     * exactly the body this process read.
     */
    request(req: IncomingMessage, res: ServerResponse, set: Record<string, string>) {
      const headers = { ...withoutHopByHop(req.headers), ...set };
      // A request without a body may be sent again when the kept-alive connection it went out on
      // turns out to have been closed by the app process (it restarted): it never reached the app.
      const bodiless = (req.method === "GET" || req.method === "HEAD") && !req.headers["content-length"] && !req.headers["transfer-encoding"];
      const send = (retry: boolean) => {
        const upstream = http.request({ socketPath, agent, method: req.method, path: req.url, headers });
        upstream.on("response", (answer) => {
          const out = withoutHopByHop(answer.headers);
          delete out["transfer-encoding"]; // this hop chunks on its own when there is no length
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out as http.OutgoingHttpHeaders);
          answer.pipe(res);
          answer.on("error", () => res.destroy());
        });
        upstream.on("error", (err: NodeJS.ErrnoException) => {
          // The caller went away first (its close destroyed this request): nobody to answer.
          if (res.destroyed || res.writableEnded) return;
          if (res.headersSent) return void res.destroy();
          if (retry && bodiless && upstream.reusedSocket && err.code === "ECONNRESET") return send(false);
          // Nothing listening, or no room to queue another connection: the request never reached
          // the app, and can simply be sent again.
          if (err.code === "ECONNREFUSED" || err.code === "ENOENT" || err.code === "EAGAIN") return unavailable(req, res);
          // The connection broke under the request (the app process died while handling it, say).
          console.error("[web] app process request failed:", err.message);
          res.writeHead(502, { "content-type": "application/json", "cache-control": "no-store" });
          res.end(JSON.stringify({ error: "the web app closed the connection before answering (it may be restarting); the request may or may not have been carried out" }));
        });
        // A caller that goes away mid-request or mid-answer frees the app process's work too.
        const cancel = () => {
          if (!res.writableFinished) upstream.destroy();
        };
        res.once("close", cancel);
        upstream.once("error", () => res.off("close", cancel));
        if (bodiless) upstream.end();
        else req.pipe(upstream);
      };
      send(true);
    },
    /** A protocol upgrade (development's hot reload socket): the raw bytes both ways once the app process accepts. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, set: Record<string, string>) {
      const conn = net.connect(socketPath);
      conn.on("connect", () => {
        // The caller's headers as sent (Connection and Upgrade are this request's point) but for the ones the web process sets.
        const headers: http.IncomingHttpHeaders = { ...req.headers, ...set };
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
