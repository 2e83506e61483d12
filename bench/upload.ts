/**
 * Upload benchmark: CSV files of growing size streamed to `POST /api/v1/datasets` of a real
 * `npm start` (its own ports and data dir), with the peak RSS of the web process (which streams
 * the body through) and of the app process (Next, which reads it) sampled from /proc while each
 * upload runs, plus a body over the limit and a 50,000-column file. Loopback only.
 * `npm run bench:upload` — BENCH_UPLOAD_MB=300,1024 (default).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { freshDataDir, launch, printTable } from "./launcher";

const sizesMb = (process.env.BENCH_UPLOAD_MB ?? "300,1024").split(",").map(Number);
const port = 3210;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-upload-"));

/** A CSV of about `mb` MiB: numbers with some missing values, a text category and a label. */
async function makeCsv(file: string, mb: number) {
  const out = fs.createWriteStream(file);
  out.write("id,x1,x2,x3,x4,city,label\n");
  let bytes = 0;
  let i = 0;
  while (bytes < mb * 1024 * 1024) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++, i++) {
      const x = [Math.sin(i), Math.cos(i * 0.7), (i % 97) / 7, i % 13 === 0 ? "" : ((i * 31) % 1000) / 10];
      lines.push(`${i},${x.map((v) => (typeof v === "number" ? v.toFixed(5) : v)).join(",")},${["oslo", "lima", "pune", "kiev"][i % 4]},${i % 3 === 0 ? 1 : 0}`);
    }
    const chunk = lines.join("\n") + "\n";
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return i;
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
};

async function upload(base: string, auth: Record<string, string>, pids: { web: number; app: number }, file: string, name: string) {
  const before = { web: rssMb(pids.web), app: rssMb(pids.app) };
  const peak = { ...before };
  const timer = setInterval(() => {
    peak.web = Math.max(peak.web, rssMb(pids.web));
    peak.app = Math.max(peak.app, rssMb(pids.app));
  }, 50);
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/datasets?name=${name}`, {
    method: "POST",
    headers: { "content-type": "text/csv", ...auth },
    body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const body = (await res.json()) as { rows?: number; error?: string };
  clearInterval(timer);
  return { status: res.status, body, seconds: (performance.now() - t0) / 1000, before, peak };
}

async function main() {
  const dataDir = freshDataDir();
  const app = await launch(dataDir, port);
  const rows: string[][] = [];
  try {
    const status = JSON.parse(fs.readFileSync(path.join(dataDir, "launcher.json"), "utf8")) as { services: { web: { pid: number }; app: { pid: number } } };
    const pids = { web: status.services.web.pid, app: status.services.app.pid };
    const mb = (r: { before: { web: number; app: number }; peak: { web: number; app: number } }) => [`${r.before.web.toFixed(0)} / ${r.before.app.toFixed(0)}`, `${r.peak.web.toFixed(0)} / ${r.peak.app.toFixed(0)}`];
    for (const size of sizesMb) {
      const file = path.join(tmp, `${size}.csv`);
      const n = await makeCsv(file, size);
      const r = await upload(app.base, app.auth, pids, file, `upload-${size}`);
      fs.rmSync(file);
      rows.push([`${size} MiB CSV (${n.toLocaleString("en")} rows)`, String(r.status), r.body.rows?.toLocaleString("en") ?? r.body.error ?? "", r.seconds.toFixed(1), ...mb(r)]);
    }
    const wide = path.join(tmp, "wide.csv");
    fs.writeFileSync(wide, `${Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(",")}\n${Array.from({ length: 50_000 }, () => "1").join(",")}\n`);
    const w = await upload(app.base, app.auth, pids, wide, "wide");
    rows.push(["0.6 MiB CSV with 50,000 columns", String(w.status), w.body.error ?? "", w.seconds.toFixed(2), ...mb(w)]);
  } finally {
    await app.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  printTable(["upload", "status", "rows / error", "seconds", "RSS before MB (web / app)", "RSS peak MB (web / app)"], rows);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
