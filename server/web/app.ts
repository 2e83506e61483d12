/**
 * The app process: Next.js (pages, the tRPC API, the REST API) on a Unix socket that only the
 * front process (server/web/server.ts) talks to. The front owns the public port: it answers
 * predictions itself, applies the guard and the security headers, and passes everything else
 * here with the client's address in CLIENT_IP_HEADER — which this process can trust, since
 * nothing but the machine's owner can connect to the socket. Kept apart so that Next's request
 * machinery (AsyncLocalStorage hooks on every async resource, a larger heap) costs the
 * prediction path nothing, and so that a crash here leaves endpoints answering.
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import next from "next";
import { env } from "~/lib/env";
import { privateAppSocketPath } from "./socket";
import { stopServingRuntime } from "../serving/instance";
import { exitOnSignal } from "../http/shutdown";

async function main() {
  const e = env();
  const dev = process.argv.includes("--dev");
  const app = next({ dev, hostname: e.HOST, port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error("[app] request failed:", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    });
  });
  // The web process closes its idle connections here after a minute (server/web/proxy.ts); they
  // stay open until then, so that it never sends a request on one this side is closing.
  server.keepAliveTimeout = 600_000;
  const socket = privateAppSocketPath(e.dataDir);
  // A socket file left by a process that died is in the way of listening (connecting to it is
  // refused); one something still accepts on is not ours to take.
  if (fs.existsSync(socket)) {
    const inUse = await new Promise<boolean>((resolve) => {
      const probe = net.connect(socket, () => {
        probe.destroy();
        resolve(true);
      });
      probe.on("error", (err: NodeJS.ErrnoException) => resolve(err.code !== "ECONNREFUSED" && err.code !== "ENOENT"));
    });
    if (inUse) throw new Error(`another process is listening on ${socket}`);
    fs.rmSync(socket, { force: true });
  }
  server.on("error", (err) => {
    console.error(`[app] cannot listen on ${socket}: ${err.message}`);
    process.exit(1);
  });
  server.listen(socket, () => {
    fs.chmodSync(socket, 0o600);
    console.log(`[app] listening on ${socket}${dev ? " (development)" : ""}`);
  });
  // The "Try it" runtime (if the endpoint page started one) writes its queued log rows first.
  exitOnSignal(server, stopServingRuntime);
}

main().catch((err: unknown) => {
  console.error("[app] fatal:", err);
  process.exit(1);
});
