import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";
import { childEnv } from "~/lib/env";

/** The worker process: `node --import tsx` (one process, so signals reach the worker itself). */
export const workerArgs = ["--import", "tsx", "workflows/temporal/worker.ts"];
/** The web process: the public port — the serving runtime, the guard, and the way to the app process (server/web/server.ts). */
export const webArgs = (dev = false) => ["--import", "tsx", "server/web/server.ts", ...(dev ? ["--dev"] : [])];
/** The app process: Next on a Unix socket that only the web process talks to (server/web/app.ts). */
export const appArgs = (dev = false) => ["--import", "tsx", "server/web/app.ts", ...(dev ? ["--dev"] : [])];

export interface Child {
  name: string;
  pid: number | undefined;
  proc: ChildProcess;
  /** Resolves with how the process ended: "code 1", "signal SIGKILL". */
  exited: Promise<string>;
  stop(timeoutMs?: number): Promise<void>;
}

/** How a process ended, for logs and the launcher's status. */
export const describeExit = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `signal ${signal}` : `code ${code}`);

/** Spawns a process whose output lines are prefixed with its name (and, with `logFile`, appended there too). */
export function spawnChild(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; quiet?: RegExp; logFile?: string } = {}): Child {
  const proc = spawn(cmd, args, { env: opts.env ?? childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: "a" }) : null;
  for (const stream of [proc.stdout, proc.stderr]) {
    readline.createInterface({ input: stream! }).on("line", (line) => {
      log?.write(`[${name}] ${line}\n`);
      if (!opts.quiet?.test(line)) console.log(`[${name}] ${line}`);
    });
  }
  proc.once("close", () => log?.end());
  const exited = new Promise<string>((resolve) => proc.once("exit", (code, signal) => resolve(describeExit(code, signal))));
  return {
    name,
    pid: proc.pid,
    proc,
    exited,
    async stop(timeoutMs = 15000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
