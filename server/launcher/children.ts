import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import { childEnv } from "~/lib/env";

/** The worker process: `node --import tsx` (one process, so signals reach the worker itself). */
export const workerArgs = ["--import", "tsx", "workflows/temporal/worker.ts"];

export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stop(timeoutMs?: number): Promise<void>;
}

/** Spawns a process whose output lines are prefixed with its name. */
export function spawnChild(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; quiet?: RegExp } = {}): Child {
  const proc = spawn(cmd, args, { env: opts.env ?? childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [proc.stdout, proc.stderr]) {
    readline.createInterface({ input: stream! }).on("line", (line) => {
      if (!opts.quiet?.test(line)) console.log(`[${name}] ${line}`);
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    name,
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
