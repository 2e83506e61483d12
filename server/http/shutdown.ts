import type { Server } from "node:http";

/**
 * On SIGTERM or SIGINT: stop accepting, let requests in flight finish (idle kept-alive
 * connections close at once; the rest get 5 s, which keep-alive would otherwise stretch), then
 * run `then` (queued prediction log rows written, say) and exit.
 */
export function exitOnSignal(server: Server, then: () => Promise<unknown> = async () => {}) {
  const stop = () => {
    server.close(() => void then().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
    server.closeIdleConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
