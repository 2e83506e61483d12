import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answered, queueAnswer } from "./answers";

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function listen(handler: http.RequestListener) {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("queued answers", () => {
  it("answers every request with its own answer, after the handler returned", async () => {
    const order: string[] = [];
    const url = await listen((req, res) => {
      queueAnswer(res, 200, { "content-type": "text/plain", "x-path": req.url! }, `answer for ${req.url}`);
      // Not yet written: it goes out at the end of the turn.
      order.push(`${req.url} sent=${res.headersSent}`);
    });
    const paths = Array.from({ length: 20 }, (_, i) => `/r${i}`);
    const got = await Promise.all(paths.map(async (p) => { const r = await fetch(url + p); return [r.status, r.headers.get("x-path"), await r.text()]; }));
    expect(got).toEqual(paths.map((p) => [200, p, `answer for ${p}`]));
    expect(order).toHaveLength(20);
    expect(order.every((o) => o.endsWith("sent=false"))).toBe(true);
  });

  it("keeps a response's first answer when it is answered twice", async () => {
    const url = await listen((_req, res) => {
      queueAnswer(res, 200, {}, "first");
      expect(answered(res)).toBe(true);
      queueAnswer(res, 500, {}, "second");
    });
    const r = await fetch(url);
    expect([r.status, await r.text()]).toEqual([200, "first"]);
  });

  it("still answers the others when one client is gone before its answer is written", async () => {
    let n = 0;
    const url = await listen((req, res) => {
      if (req.url === "/gone") req.socket.destroy();
      queueAnswer(res, 200, {}, `ok ${++n}`);
    });
    const gone = fetch(`${url}/gone`).then(() => "answered", () => "failed");
    const others = await Promise.all([fetch(`${url}/a`), fetch(`${url}/b`)].map(async (p) => (await p).status));
    expect(others).toEqual([200, 200]);
    expect(await gone).toBe("failed");
  });
});
