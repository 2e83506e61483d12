/** Starts the real launcher (`npm start`) on ports and a data dir of its own, for benchmarks. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Launched {
  base: string;
  dataDir: string;
  /** The first start's administrator token (`.data/admin-token`), as scripts on the machine use it. */
  auth: { authorization: string };
  ms: number;
  /** The process id of one of the launcher's children, by its entry file (e.g. "server/web/server.ts"); Linux only. */
  childPid(entry: string): number | undefined;
  stop(): Promise<number | null>;
}

export function benchEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  // The launcher must start its own embedded services, whatever the caller's environment says.
  const { DATABASE_URL: _db, TEMPORAL_ADDRESS: _ta, ...inherited } = process.env;
  return {
    ...inherited,
    PORT: String(port),
    MILLRACE_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(port + 54000 - 3000),
    EMBEDDED_TEMPORAL_PORT: String(port + 4000),
    TEMPORAL_UI_PORT: String(port + 5000),
    TEMPORAL_TASK_QUEUE: "millrace-bench",
  };
}

export function freshDataDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-"));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export async function launch(dataDir: string, port: number): Promise<Launched> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, ["--import", "tsx", "server/launcher/start.ts"], { env: benchEnv(dataDir, port), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes("Millrace is ready")) resolve();
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`launcher exited (${code}):\n${out.slice(-2000)}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    dataDir,
    auth: { authorization: `Bearer ${fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim()}` },
    ms: performance.now() - t0,
    childPid: (entry) => {
      for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        try {
          const ppid = Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
          if (ppid === proc.pid && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(entry)) return Number(pid);
        } catch {
          // the process ended meanwhile
        }
      }
      return undefined;
    },
    stop: () =>
      new Promise((resolve) => {
        proc.once("exit", (code) => resolve(code));
        proc.kill("SIGTERM");
      }),
  };
}

/** Prints rows as a Markdown table. */
export function printTable(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n${line(header)}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}
