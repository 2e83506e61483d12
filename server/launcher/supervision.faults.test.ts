/**
 * Fault tests of `npm start` itself: the real launcher on ports and a data directory of its own,
 * with embedded Postgres and Temporal. A killed worker, Temporal server, app process (Next) or
 * Postgres comes back on its own, the web process keeps answering (endpoints even while Next is
 * away), health names what is missing meanwhile, and a run caught in the middle finishes with
 * exactly one model version.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv } from "~/lib/env";
import { freePorts } from "../testing/services";
import { readLauncherStatus } from "./supervisor";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-faults-"));
fs.chmodSync(dataDir, 0o755);
let base = "";
let pgUrl = "";
let launcher: ChildProcess;
let output = "";
const recoveries: Record<string, number> = {};

async function api<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${url}`, {
    method,
    // The first start's administrator token, as any script on this machine would use it.
    headers: { authorization: `Bearer ${fs.readFileSync(path.join(dataDir, "admin-token"), "utf8").trim()}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- launcher output ---\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const health = () => fetch(`${base}/api/health`).then(async (r) => ({ status: r.status, body: (await r.json()) as { missing?: string[] } }));
const pidOf = (name: string) => readLauncherStatus(dataDir)?.services[name]?.pid ?? undefined;

/** Kills a process the launcher supervises and measures how long until health is green again. */
async function killAndRecover(name: string, signal: NodeJS.Signals = "SIGKILL") {
  const pid = await until(`${name}'s pid`, async () => pidOf(name) ?? undefined);
  const t0 = performance.now();
  process.kill(pid, signal);
  // The web process keeps answering while the part is down: health names the part (for the app
  // process, which answers health itself, the web process's own 503 stands in).
  await until(`health to name ${name}`, async () => {
    const h = await health();
    return h.status === 503 ? h : undefined;
  }, 30_000);
  await until(`health to recover from ${name}`, async () => ((await health()).status === 200 ? true : undefined), 120_000);
  recoveries[name] = (performance.now() - t0) / 1000;
  expect(pidOf(name)).not.toBe(pid);
  expect(readLauncherStatus(dataDir)?.services[name]?.restarts).toBeGreaterThanOrEqual(1);
}

async function startSlowRun(slug: string) {
  const { body: list } = await api<{ pipelines: { id: string; name: string }[] }>("GET", "/api/v1/pipelines");
  const demo = list.pipelines.find((p) => p.name.startsWith("Demo"))!;
  const { body } = await api<{ id: string; version: number; nodes: { id: string; config: Record<string, unknown> }[] }>("GET", `/api/v1/pipelines/${demo.id}`);
  const { id: _id, version: _version, ...doc } = body;
  const nodes = doc.nodes.map((n) =>
    n.id === "train" ? { ...n, config: { ...n.config, nEstimators: 2000 } } : n.id === "deploy" ? { ...n, config: { slug } } : n,
  );
  const created = await api<{ id: string }>("POST", "/api/v1/pipelines", { ...doc, name: `faults ${slug}`, nodes });
  expect(created.status).toBe(201);
  // Every node computed: the fault must land in real work, not in outputs reused from an earlier test.
  const started = await api<{ runId: string }>("POST", `/api/v1/pipelines/${created.body.id}/runs`, { ignoreCache: true });
  expect(started.status).toBe(201);
  const runId = started.body.runId;
  // Wait until training is under way, so the fault lands in the middle of the run.
  await until("training to start", async () => {
    const { body } = await api<{ nodes: { nodeId: string; status: string }[] }>("GET", `/api/v1/runs/${runId}`);
    return body.nodes.find((n) => n.nodeId === "train")?.status === "running" ? true : undefined;
  });
  return runId;
}

async function expectSucceededOnce(runId: string, slug: string) {
  const run = await until("the run to finish", async () => {
    const { body } = await api<{ status: string; endpoints: { slug: string; modelVersion: number }[] }>("GET", `/api/v1/runs/${runId}`);
    return ["succeeded", "failed", "cancelled"].includes(body.status) ? body : undefined;
  }, 240_000);
  expect(run.status).toBe("succeeded");
  expect(run.endpoints).toEqual([expect.objectContaining({ slug, modelVersion: 1 })]);
  // The embedded Postgres's password was generated on its first start.
  const sql = postgres(pgUrl.replace("postgres:postgres@", `postgres:${encodeURIComponent(fs.readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim())}@`), { max: 1, onnotice: () => {} });
  try {
    // One version of the run's trained model, whatever was killed and retried.
    expect(await sql`select id from model_version where run_id = ${runId}`).toHaveLength(1);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

beforeAll(async () => {
  const [port, pgPort, temporalPort, uiPort] = await freePorts(4);
  base = `http://127.0.0.1:${port}`;
  pgUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/millrace`;
  launcher = spawn(process.execPath, ["--import", "tsx", "server/launcher/start.ts"], {
    env: childEnv({
      DATABASE_URL: undefined,
      TEMPORAL_ADDRESS: undefined,
      PORT: String(port),
      MILLRACE_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      EMBEDDED_TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_TASK_QUEUE: "millrace-faults",
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const s of [launcher.stdout!, launcher.stderr!]) s.on("data", (b: Buffer) => (output += b.toString()));
  await until("the launcher to be ready", async () => (output.includes("Millrace is ready") ? true : undefined), 240_000);
});

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    const exited = new Promise((r) => launcher.once("exit", r));
    launcher.kill("SIGTERM");
    await exited;
  }
  console.log(`health recovered after a kill of: ${Object.entries(recoveries).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start under faults", () => {
  it("restarts a SIGKILLed worker mid-run; the run finishes with one model version", async () => {
    const runId = await startSlowRun("faults-worker");
    await killAndRecover("worker");
    await expectSucceededOnce(runId, "faults-worker");
  });

  it("restarts a SIGKILLed Temporal server mid-run; the run resumes and finishes with one model version", async () => {
    const runId = await startSlowRun("faults-temporal");
    await killAndRecover("temporal");
    await expectSucceededOnce(runId, "faults-temporal");
  });

  it("restarts a SIGKILLed app process (Next) while its endpoints keep answering, and the rest answers 503 with Retry-After meanwhile", async () => {
    const { status, body: key } = await api<{ key: string }>("POST", "/api/v1/keys", { name: "faults", endpoints: ["faults-worker"] });
    expect(status).toBe(201);
    const predict = () =>
      fetch(`${base}/api/v1/endpoints/faults-worker/predict`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
        body: JSON.stringify({ feature_1: 0.4, feature_2: -1.1, feature_3: null, feature_4: 6.5 }),
      }).then((r) => r.status, () => -1);
    // The key reaches the web process by notification: wait until it is known there.
    await until("the key to be served", async () => ((await predict()) === 200 ? true : undefined), 30_000);
    const statuses: number[] = [];
    let outage: { status: number; retryAfter: string | null } | undefined;
    let calling = true;
    const caller = (async () => {
      while (calling) {
        statuses.push(await predict());
        if (!outage) {
          const r = await fetch(`${base}/api/v1/pipelines`).catch(() => null);
          if (r?.status === 503) outage = { status: r.status, retryAfter: r.headers.get("retry-after") };
          await r?.body?.cancel();
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await killAndRecover("app");
    } finally {
      calling = false;
      await caller;
    }
    expect(outage).toEqual({ status: 503, retryAfter: "2" });
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it("gives the embedded Postgres a generated password (mode 600), which the old default does not replace", async () => {
    const file = path.join(dataDir, "postgres-password");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const legacy = postgres(pgUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    const refused = await legacy`select 1`.then(() => null, (e: { code?: string }) => e.code);
    await legacy.end({ timeout: 1 });
    expect(refused).toBe("28P01");
  });

  it("restarts a killed Postgres; health names the database meanwhile, and runs work afterwards", async () => {
    await killAndRecover("postgres");
    // A pooled connection the web server held when Postgres died may fail one request: that is a
    // 503 (try again), never a 500. Ten answers in a row, so each pooled connection has been tried.
    let inARow = 0;
    await until("ten answers in a row after the database restart", async () => {
      const r = await api<unknown>("GET", "/api/v1/pipelines");
      expect(r.status, "a request after the database restart").not.toBe(500);
      inARow = r.status === 200 ? inARow + 1 : 0;
      return inARow >= 10 ? true : undefined;
    }, 30_000);
    const runId = await startSlowRun("faults-after-postgres");
    await expectSucceededOnce(runId, "faults-after-postgres");
  });

  it("stops everything on SIGTERM and leaves no process behind", async () => {
    const pids = Object.values(readLauncherStatus(dataDir)!.services).map((s) => s.pid!);
    const exited = new Promise<number | null>((r) => launcher.once("exit", r));
    launcher.kill("SIGTERM");
    expect(await exited).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "launcher.json"))).toBe(false);
  });
});
