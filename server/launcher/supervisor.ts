/**
 * Keeps the processes `npm start` launched alive: one that dies is started again with backoff
 * (1 s, doubling to 30 s; back to 1 s once it has stayed up a minute) while the rest keep
 * serving. Only `stopAll()` — Ctrl-C or SIGTERM to the launcher — ends them, in reverse order.
 * The state of every process is written to a status file the web server's health check reads.
 */
import fs from "node:fs";
import path from "node:path";
import { messageOf } from "~/lib/errors";

/** A started process: how to know it ended, and how to stop it. */
export interface Running {
  pid: number | undefined;
  /** Resolves with a description of how it ended, e.g. "code 1" or "signal SIGKILL". */
  exited: Promise<string>;
  stop(): Promise<void>;
}

type ServiceState = "running" | "restarting" | "stopped";

export interface ServiceStatus {
  state: ServiceState;
  pid: number | null;
  restarts: number;
  /** How the last run ended, while restarting. */
  lastExit: string | null;
  since: string;
}

/** What the launcher writes to `<data dir>/launcher.json`. */
export interface LauncherStatus {
  pid: number;
  services: Record<string, ServiceStatus>;
}

interface Service {
  name: string;
  start: () => Promise<Running>;
  running: Running | null;
  status: ServiceStatus;
  startedAt: number;
  delayMs: number;
  timer?: NodeJS.Timeout;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const STABLE_MS = 60_000;

export class Supervisor {
  private readonly services: Service[] = [];
  private stopping = false;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly statusFile?: string,
  ) {}

  /** Starts a process and keeps it running. A failure to start the first time is thrown. */
  async add(name: string, start: () => Promise<Running>): Promise<Running> {
    const running = await start();
    const svc: Service = {
      name,
      start,
      running,
      startedAt: Date.now(),
      delayMs: FIRST_DELAY_MS,
      status: { state: "running", pid: running.pid ?? null, restarts: 0, lastExit: null, since: new Date().toISOString() },
    };
    this.services.push(svc);
    this.watch(svc, running);
    this.writeStatus();
    return running;
  }

  status(): LauncherStatus {
    return { pid: process.pid, services: Object.fromEntries(this.services.map((s) => [s.name, s.status])) };
  }

  private watch(svc: Service, running: Running) {
    void running.exited.then((how) => {
      if (this.stopping || svc.running !== running) return;
      svc.running = null;
      // A process that ran for a while gets restarted quickly; one that keeps dying, ever slower.
      if (Date.now() - svc.startedAt > STABLE_MS) svc.delayMs = FIRST_DELAY_MS;
      const delay = svc.delayMs;
      svc.delayMs = Math.min(svc.delayMs * 2, MAX_DELAY_MS);
      this.setStatus(svc, { state: "restarting", pid: null, lastExit: how });
      this.log(`${svc.name} exited unexpectedly (${how}); restarting in ${delay / 1000} s`);
      svc.timer = setTimeout(() => void this.restart(svc), delay);
    });
  }

  private async restart(svc: Service) {
    if (this.stopping) return;
    try {
      const running = await svc.start();
      if (this.stopping) {
        await running.stop();
        return;
      }
      svc.running = running;
      svc.startedAt = Date.now();
      this.setStatus(svc, { state: "running", pid: running.pid ?? null, restarts: svc.status.restarts + 1, lastExit: null });
      this.log(`${svc.name} is running again (restart ${svc.status.restarts})`);
      this.watch(svc, running);
    } catch (e) {
      const delay = svc.delayMs;
      svc.delayMs = Math.min(svc.delayMs * 2, MAX_DELAY_MS);
      this.log(`${svc.name} could not be restarted (${messageOf(e)}); trying again in ${delay / 1000} s`);
      svc.timer = setTimeout(() => void this.restart(svc), delay);
    }
  }

  /** Stops every process, the last started first, and restarts nothing any more. */
  async stopAll() {
    this.stopping = true;
    for (const svc of [...this.services].reverse()) {
      clearTimeout(svc.timer);
      try {
        await svc.running?.stop();
        this.log(`stopped ${svc.name}`);
      } catch (e) {
        this.log(`stopping ${svc.name} failed: ${messageOf(e)}`);
      }
      this.setStatus(svc, { state: "stopped", pid: null });
    }
  }

  private setStatus(svc: Service, patch: Partial<ServiceStatus>) {
    svc.status = { ...svc.status, ...patch, since: new Date().toISOString() };
    this.writeStatus();
  }

  private writeStatus() {
    if (!this.statusFile) return;
    const tmp = `${this.statusFile}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(this.statusFile), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(this.status(), null, 2));
    fs.renameSync(tmp, this.statusFile);
  }
}

/** The status file of a launcher using this data dir, if one is running. */
export const statusFileOf = (dataDir: string) => path.join(dataDir, "launcher.json");

export function readLauncherStatus(dataDir: string): LauncherStatus | null {
  try {
    const status = JSON.parse(fs.readFileSync(statusFileOf(dataDir), "utf8")) as LauncherStatus;
    // A launcher that died without cleaning up leaves a file behind: only a live one counts.
    process.kill(status.pid, 0);
    return status;
  } catch {
    return null;
  }
}
