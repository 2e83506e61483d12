/** A webhook receiver on an ephemeral loopback port, for tests: it keeps every delivery and answers 204. */
import http from "node:http";
import type { AddressInfo } from "node:net";

interface Delivery {
  headers: http.IncomingHttpHeaders;
  /** The raw body (what a signature covers). */
  body: string;
  event: string;
  json: Record<string, unknown>;
}

export async function startWebhookSink() {
  const received: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body, event: String(req.headers["millrace-event"]), json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => server.close() };
}
