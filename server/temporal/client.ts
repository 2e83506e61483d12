import { Client, Connection } from "@temporalio/client";
import { env } from "../env";

const g = globalThis as unknown as { __millraceTemporal?: Promise<Client> };

/** One Temporal client per process (kept on globalThis for Next's module reloading). */
export function temporalClient(): Promise<Client> {
  g.__millraceTemporal ??= (async () => {
    const e = env();
    const connection = await Connection.connect({ address: e.temporalAddress, connectTimeout: 3000 });
    return new Client({ connection, namespace: e.TEMPORAL_NAMESPACE });
  })().catch((err) => {
    g.__millraceTemporal = undefined;
    throw err;
  });
  return g.__millraceTemporal;
}
