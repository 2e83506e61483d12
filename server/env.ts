/**
 * Configuration, validated once. Web, worker, launcher and tests all read it from here.
 * Unset service addresses mean "use the embedded default the launcher starts".
 */
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default("default"),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default("millrace-pipelines"),
  TEMPORAL_CLI: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
  MILLRACE_DATA_DIR: z.string().min(1).default(".data"),
  ARTIFACT_STORE: z.enum(["fs", "postgres"]).default("fs"),
  EMBEDDED_PG_PORT: z.coerce.number().int().positive().default(54329),
  EMBEDDED_TEMPORAL_PORT: z.coerce.number().int().positive().default(7233),
  PORT: z.coerce.number().int().positive().default(3000),
  PUBLIC_URL: z.string().url().optional(),
});

export type Env = z.infer<typeof schema> & {
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  publicUrl: string;
};

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Millrace configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    ...e,
    dataDir: path.resolve(e.MILLRACE_DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${e.EMBEDDED_PG_PORT}/millrace`,
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.EMBEDDED_TEMPORAL_PORT}`,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
  };
}

let cached: Env | undefined;
/** Read lazily so that tests and the launcher can set variables before first use. */
export function env(): Env {
  cached ??= load();
  return cached;
}
