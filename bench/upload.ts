/**
 * Upload benchmark: CSV files of growing size streamed to `POST /api/v1/datasets` of a real
 * `npm start` (its own ports and data dir), with the web process's peak RSS sampled from /proc
 * while each upload runs, plus a body over the limit and a 50,000-column file. Loopback only.
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

async function upload(base: string, auth: Record<string, string>, webPid: number, file: string, name: string) {
  let peak = rssMb(webPid);
  const before = peak;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(webPid))), 50);
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
    const status = JSON.parse(fs.readFileSync(path.join(dataDir, "launcher.json"), "utf8")) as { services: { web: { pid: number } } };
    const webPid = status.services.web.pid;
    for (const mb of sizesMb) {
      const file = path.join(tmp, `${mb}.csv`);
      const n = await makeCsv(file, mb);
      const r = await upload(app.base, app.auth, webPid, file, `upload-${mb}`);
      fs.rmSync(file);
      rows.push([`${mb} MiB CSV (${n.toLocaleString("en")} rows)`, String(r.status), r.body.rows?.toLocaleString("en") ?? r.body.error ?? "", r.seconds.toFixed(1), r.before.toFixed(0), r.peak.toFixed(0)]);
    }
    const wide = path.join(tmp, "wide.csv");
    fs.writeFileSync(wide, `${Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(",")}\n${Array.from({ length: 50_000 }, () => "1").join(",")}\n`);
    const w = await upload(app.base, app.auth, webPid, wide, "wide");
    rows.push(["0.6 MiB CSV with 50,000 columns", String(w.status), w.body.error ?? "", w.seconds.toFixed(2), w.before.toFixed(0), w.peak.toFixed(0)]);
  } finally {
    await app.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  printTable(["upload", "status", "rows / error", "seconds", "web RSS before MB", "web RSS peak MB"], rows);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
