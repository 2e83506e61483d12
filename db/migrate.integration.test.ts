/** Upgrading a database that already holds data keeps it, and fills what the new schema adds. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { createDb, type Db } from "./client";
import { applyMigrations } from "./migrate";

const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** A copy of the migrations folder holding only the first `count` migrations. */
function firstMigrations(count: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-migrations-"));
  const journal = JSON.parse(fs.readFileSync(path.join(migrations, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, count);
  fs.mkdirSync(path.join(dir, "meta"));
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(migrations, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

/**
 * A fresh database at the first `count` migrations, filled by `fill`; then every migration applied
 * (as a start-up would) and `check` run against the upgraded database with what `fill` returned.
 */
async function upgrade<T>(label: string, count: number, fill: (db: Db) => Promise<T>, check: (db: Db, filled: T) => Promise<void>) {
  const base = inject("services").databaseUrl;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  const name = `millrace_upgrade_${label.replaceAll("-", "_")}_${process.pid}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const old = firstMigrations(count);
  try {
    const db = createDb(url.toString(), 1);
    let filled: T;
    try {
      await migrate(db, { migrationsFolder: old });
      filled = await fill(db);
    } finally {
      await db.$sql.end();
    }
    await applyMigrations(url.toString());
    const after = createDb(url.toString(), 1);
    try {
      await check(after, filled);
    } finally {
      await after.$sql.end();
    }
  } finally {
    fs.rmSync(old, { recursive: true, force: true });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

describe("migrations", () => {
  it("give existing endpoints the pipeline that deployed their model as owner", async () => {
    await upgrade(
      "endpoint-owner",
      2,
      async (db) => {
        const [p] = await db.$sql`insert into pipeline (name) values ('Churn') returning id`;
        const [r] = await db.$sql`insert into run (pipeline_id, pipeline_version) values (${p!.id}, 1) returning id`;
        const [mv] = await db.$sql`insert into model_version (name, version, run_id, node_id, artifact_uri, task)
          values ('churn', 1, ${r!.id}, 'deploy', 'artifact:m', 'classification') returning id`;
        await db.$sql`insert into endpoint (slug, model_version_id) values ('churn', ${mv!.id})`;
        return { p };
      },
      async (after, { p }) => {
        const rows = await after.$sql`select slug, pipeline_id from endpoint`;
        expect(rows).toEqual([{ slug: "churn", pipeline_id: p!.id }]);
      },
    );
  });

  it("keep each finished run's scores on the run (what run lists sort by)", async () => {
    await upgrade(
      "metrics",
      12, // up to 0011, before runs kept their metrics
      async (db) => {
        const [ws] = await db.$sql`select id from workspace limit 1`;
        const [p] = await db.$sql`insert into pipeline (workspace_id, name) values (${ws!.id}, 'Churn') returning id`;
        const [scored] = await db.$sql`insert into run (workspace_id, pipeline_id, pipeline_version, status) values (${ws!.id}, ${p!.id}, 1, 'succeeded') returning id`;
        const [bare] = await db.$sql`insert into run (workspace_id, pipeline_id, pipeline_version, status) values (${ws!.id}, ${p!.id}, 1, 'failed') returning id`;
        const evaluate = { metrics: { kind: "metrics", values: { accuracy: 0.91, f1_macro: 0.9 } } };
        const split = { train: { kind: "dataset", uri: "artifact:x", rows: 10, columns: [], lineage: { rawColumns: [], steps: [] } } };
        await db.$sql`insert into run_node (run_id, node_id, type, status, outputs) values
          (${scored!.id}, 'evaluate', 'evaluate', 'succeeded', ${JSON.stringify(evaluate)}::jsonb),
          (${scored!.id}, 'split', 'train-test-split', 'succeeded', ${JSON.stringify(split)}::jsonb),
          (${bare!.id}, 'split', 'train-test-split', 'failed', null)`;
        return { scored, bare };
      },
      async (after, { scored, bare }) => {
        const rows = await after.$sql`select id, metrics from run order by status desc`;
        expect(rows).toEqual([
          { id: scored!.id, metrics: { accuracy: 0.91, f1_macro: 0.9 } },
          { id: bare!.id, metrics: null },
        ]);
      },
    );
  });

  it("keep every logged prediction when the log becomes batches, read back the same through prediction_log", async () => {
    const columns = "request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at";
    await upgrade(
      "log",
      24, // up to 0023: a row per prediction
      async (db) => {
        const endpoint = "00000000-0000-4000-8000-000000000001";
        const [v1, v2] = ["00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"];
        // 12,000 predictions of one version in 12 s (three batches of at most 5,000) and one an hour
        // later (a batch per minute), two of another, a shadow's one.
        await db.$sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at)
          select gen_random_uuid(), i % 3, ${endpoint}, ${v1}, false, '{"i":' || i || '}', '"a"', i / 100.0, timestamptz '2026-11-01 00:00:00+00' + make_interval(secs => i / 1000.0)
            from generate_series(1, 12000) as i`;
        await db.$sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, input, prediction, latency_ms, created_at)
          values (gen_random_uuid(), 0, ${endpoint}, ${v1}, '{}', '"a"', 1, '2026-11-01 01:00:00+00')`;
        await db.$sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, shadow, input, prediction, latency_ms, created_at) values
          ('00000000-0000-4000-8000-0000000000b1', 0, ${endpoint}, ${v2}, false, '{"x":"é\tq"}', '3.5', 1.25, '2026-11-02 10:00:00+00'),
          ('00000000-0000-4000-8000-0000000000b1', 1, ${endpoint}, ${v2}, false, '{}', '4', 2, '2026-11-02 10:00:00.5+00'),
          ('00000000-0000-4000-8000-0000000000b1', 0, ${endpoint}, ${v1}, true, '{"x":"é\tq"}', '"b"', 3, '2026-11-02 10:00:00+00')`;
        const before = await db.$sql.unsafe(`select ${columns} from prediction_log order by created_at, request_id, idx, shadow`);
        return { endpoint, v1, v2, before };
      },
      async (after, { endpoint, v1, v2, before }) => {
        expect(await after.$sql.unsafe(`select ${columns} from prediction_log order by created_at, request_id, idx, shadow`)).toEqual(before);
        // The view keeps the table's NOT NULL: a row without an input is refused, not logged as null.
        await expect(after.$sql`insert into prediction_log (request_id, idx, endpoint_id, model_version_id, input, prediction, latency_ms) values (gen_random_uuid(), 0, ${endpoint}, ${v1}, null, '"a"', 1)`).rejects.toThrow(/needs request_id/);
        const batches = await after.$sql`select model_version_id, shadow, cardinality(request_ids) as n, extract(epoch from last_at - first_at)::float8 as span from prediction_log_batches order by model_version_id, shadow, first_at`;
        expect(batches.map((b) => [b.model_version_id, b.shadow, b.n])).toEqual([
          [v1, false, 5000],
          [v1, false, 5000],
          [v1, false, 2000],
          [v1, false, 1],
          [v1, true, 1],
          [v2, false, 2],
        ]);
        expect(batches.map((b) => b.span)).toEqual([4.999, 4.999, 1.999, 0, 0, 0.5]);
      },
    );
  });
});
