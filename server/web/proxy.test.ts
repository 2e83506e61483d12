/** The web process's way to the app process, against a real HTTP server on a Unix socket. */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appProxy } from "./proxy";
import { appSocketPath, privateAppSocketPath } from "./socket";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-proxy-"));
const socketPath = path.join(dir, "app.sock");
let upstream: http.Server | null = null;
let upstreamHandler: http.RequestListener = () => {};
let front: http.Server;
let base = "";
const proxy = appProxy(socketPath);

async function startUpstream() {
  upstream = http.createServer((req, res) => upstreamHandler(req, res));
  upstream.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\nx-path: ${req.url}\r\n\r\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((r) => upstream!.listen(socketPath, r));
}

async function stopUpstream() {
  if (!upstream) return;
  upstream.closeAllConnections();
  await new Promise((r) => upstream!.close(r));
  upstream = null;
}

beforeAll(async () => {
  front = http.createServer((req, res) => proxy.request(req, res, { "x-client": "front-set" }));
  front.on("upgrade", (req, socket, head) => proxy.upgrade(req, socket, head, { "x-client": "front-set" }));
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

afterEach(stopUpstream);

afterAll(async () => {
  proxy.close();
  front.closeAllConnections();
  await new Promise((r) => front.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("app proxy", () => {
  it("passes method, path, query, headers the front set and the body; answers with the app's status and headers, hop-by-hop ones dropped", async () => {
    await startUpstream();
    let seen: { method?: string; url?: string; client?: string; proxyConnection?: string; body?: string } = {};
    upstreamHandler = (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen = { method: req.method, url: req.url, client: req.headers["x-client"] as string, proxyConnection: req.headers["proxy-connection"] as string | undefined, body };
        res.setHeader("set-cookie", ["a=1; HttpOnly", "b=2; HttpOnly"]);
        res.writeHead(201, { "content-type": "application/json", connection: "keep-alive, x-private", "x-private": "hop", "keep-alive": "timeout=70" });
        res.end('{"ok":true}');
      });
    };
    // Proxy-Connection: a hop-by-hop header fetch lets a caller send (Connection itself it sets on its own).
    const res = await fetch(`${base}/api/v1/things?x=%C3%A9&y=1`, { method: "PUT", headers: { "content-type": "application/json", "proxy-connection": "keep-alive" }, body: '{"name":"é"}' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.getSetCookie()).toEqual(["a=1; HttpOnly", "b=2; HttpOnly"]);
    // Named in Connection: a header of the app's hop, not the caller's.
    expect(res.headers.get("x-private")).toBeNull();
    expect(seen).toEqual({ method: "PUT", url: "/api/v1/things?x=%C3%A9&y=1", client: "front-set", proxyConnection: undefined, body: '{"name":"é"}' });
  });

  it("drops the headers a caller's Connection names, but never the body's framing or the front's own headers: nothing is smuggled past it", async () => {
    await startUpstream();
    const seen: { url?: string; client?: string; hop?: string; body: string }[] = [];
    upstreamHandler = (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ url: req.url, client: req.headers["x-client"] as string | undefined, hop: req.headers["x-hop"] as string | undefined, body });
        res.end("ok");
      });
    };
    // A GET whose Connection names its Content-Length and the header the front sets, with a
    // second request as its body: the app must read one request, that body as its body, and the
    // front's own header.
    const inner = "GET /smuggled HTTP/1.1\r\nHost: app\r\nX-Client: 6.6.6.6\r\n\r\n";
    const raw = `GET /first HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, content-length, x-client, x-hop\r\nX-Hop: 1\r\nX-Client: 6.6.6.6\r\nContent-Length: ${Buffer.byteLength(inner)}\r\n\r\n${inner}`;
    const answer = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(base);
      const sock = net.connect(Number(port), "127.0.0.1", () => sock.write(raw));
      let got = "";
      sock.on("data", (d: Buffer) => {
        got += d.toString();
        if (got.endsWith("ok")) resolve(got);
      });
      sock.on("error", reject);
      setTimeout(() => (sock.destroy(), resolve(got)), 2000);
    });
    expect(answer.startsWith("HTTP/1.1 200")).toBe(true);
    // Anything smuggled would have arrived by now, on the connection the front keeps open.
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([{ url: "/first", client: "front-set", hop: undefined, body: inner }]);
  });

  it("streams a request body through without holding it: the app reads the first chunk before the caller sent the last", async () => {
    await startUpstream();
    let firstAt = 0;
    let total = 0;
    upstreamHandler = (req, res) => {
      req.on("data", (c: Buffer) => {
        if (!firstAt) firstAt = performance.now();
        total += c.length;
      });
      req.on("end", () => res.end(String(total)));
    };
    const chunk = Buffer.alloc(1 << 20, 120);
    let lastSentAt = 0;
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/api/v1/uploads`, { method: "POST", headers: { "content-type": "text/csv" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      let sent = 0;
      const next = () => {
        if (sent === 16) {
          lastSentAt = performance.now();
          return req.end();
        }
        sent++;
        req.write(chunk);
        // Paced, so that the app sees data long before the body ends.
        setTimeout(next, 20);
      };
      next();
    });
    expect(status).toEqual({ status: 200, body: String(16 * chunk.length) });
    expect(firstAt).toBeGreaterThan(0);
    expect(firstAt).toBeLessThan(lastSentAt - 200);
  });

  it("streams an answer as the app writes it (server-sent events arrive one by one)", async () => {
    await startUpstream();
    let release: () => void = () => {};
    upstreamHandler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
      release = () => res.end("data: second\n\n");
    };
    const res = await fetch(`${base}/api/v1/events`);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: first\n\n");
    release();
    const second = new TextDecoder().decode((await reader.read()).value);
    expect(second).toBe("data: second\n\n");
  });

  it("answers 503 with Retry-After while the app process is down: JSON for scripts, a reloading page for browsers", async () => {
    const api = await fetch(`${base}/api/v1/pipelines`);
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("2");
    expect((await api.json()).error).toMatch(/restarting/);
    const page = await fetch(`${base}/pipelines`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('http-equiv="refresh"');
    // And once it is back, the same front answers through it again.
    await startUpstream();
    upstreamHandler = (_req, res) => res.end("back");
    expect(await (await fetch(`${base}/pipelines`)).text()).toBe("back");
  });

  it("answers 502, not 503, when the app process drops a request it had (it may have been carried out)", async () => {
    await startUpstream();
    upstreamHandler = (req) => req.socket.destroy();
    const res = await fetch(`${base}/api/v1/pipelines`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(502);
    expect(res.headers.get("retry-after")).toBeNull();
    expect((await res.json()).error).toMatch(/may or may not have been carried out/);
  });

  it("stops the app's work when the caller goes away mid-answer", async () => {
    await startUpstream();
    const closed = new Promise<boolean>((resolve) => {
      upstreamHandler = (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        res.on("close", () => resolve(res.writableFinished));
      };
    });
    await new Promise<void>((resolve) => {
      const req = http.get(`${base}/slow`, (res) => res.once("data", () => (req.destroy(), resolve())));
    });
    expect(await closed).toBe(false);
  });

  it("passes a protocol upgrade through, both ways", async () => {
    await startUpstream();
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${base}/_next/webpack-hmr`, { headers: { connection: "upgrade", upgrade: "echo" } });
      req.on("upgrade", (res, socket) => {
        expect(res.headers["x-path"]).toBe("/_next/webpack-hmr");
        socket.write("ping");
        socket.once("data", (d: Buffer) => {
          socket.destroy();
          resolve(d.toString());
        });
      });
      req.on("error", reject);
      req.end();
    });
    expect(echoed).toBe("ping");
  });

  it("keeps the socket path within the length Linux allows", () => {
    expect(appSocketPath("/srv/millrace")).toBe("/srv/millrace/app.sock");
    const deep = `/${"d".repeat(120)}`;
    const fallback = appSocketPath(deep);
    expect(fallback.startsWith(os.tmpdir())).toBe(true);
    expect(Buffer.byteLength(fallback)).toBeLessThanOrEqual(100);
    expect(appSocketPath(deep)).toBe(fallback);
    expect(appSocketPath(`${deep}x`)).not.toBe(fallback);
  });

  it("makes the fallback's directory private to this user, and refuses one that others can enter", () => {
    const deep = path.join(dir, "d".repeat(120));
    const socket = privateAppSocketPath(deep);
    const parent = path.dirname(socket);
    try {
      expect(fs.statSync(parent).mode & 0o777).toBe(0o700);
      fs.chmodSync(parent, 0o755);
      expect(() => privateAppSocketPath(deep)).toThrow(/not a private directory/);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
