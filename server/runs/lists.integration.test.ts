/**
 * Run lists at scale and run comparison, on a real Postgres: 10,000 runs filtered by pipeline,
 * status and date, ordered by time or a metric, paged; two runs side by side with the settings
 * that differ and the best metric marked.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { workspaces } from "~/db/schema";
import { demoPipeline } from "~/lib/templates/demo";
import { createPipeline, savePipelineVersion } from "../pipelines/repository";
import { compareRuns } from "./compare";
import { listRuns } from "./service";

let wsId: string;
let pipelineA: string;
let pipelineB: string;

beforeAll(async () => {
  const [ws] = await db().insert(workspaces).values({ name: "Run lists" }).returning();
  wsId = ws!.id;
  const doc = demoPipeline("7a1e0c4e-1111-4222-8333-944455556666");
  pipelineA = (await createPipeline(db(), wsId, { ...doc, name: "A" })).id;
  pipelineB = (await createPipeline(db(), wsId, { ...doc, name: "B" })).id;
  const v2 = structuredClone(doc);
  v2.nodes.find((n) => n.type === "random-forest")!.config = { ...v2.nodes.find((n) => n.type === "random-forest")!.config, nEstimators: 300 };
  await savePipelineVersion(db(), pipelineA, { ...v2, name: "A" });
  // 10,000 runs: every 4th of B, statuses in turn, one a minute back from 2026-11-20, accuracy i / 10,000 (none for every 10th).
  await db().execute(sql`
    insert into run (workspace_id, pipeline_id, pipeline_version, status, created_at, started_at, finished_at, metrics)
    select ${wsId}, case when i % 4 = 0 then ${pipelineB}::uuid else ${pipelineA}::uuid end, 1 + (i % 2),
      (array['succeeded','failed','cancelled','running','queued'])[1 + i % 5],
      timestamptz '2026-11-20 00:00:00+00' - make_interval(mins => i),
      timestamptz '2026-11-20 00:00:00+00' - make_interval(mins => i),
      timestamptz '2026-11-20 00:00:00+00' - make_interval(mins => i) + interval '3 seconds',
      case when i % 10 = 0 then null else jsonb_build_object('accuracy', i / 10000.0, 'rmse', 1 - i / 10000.0) end
    from generate_series(1, 10000) i`);
}, 60_000);

afterAll(async () => {
  await closeDb();
});

describe("run lists", () => {
  it("count, filter and page 10,000 runs", async () => {
    const all = await listRuns(db(), wsId, { pageSize: 50 });
    expect(all.total).toBe(10_000);
    expect(all.runs).toHaveLength(50);
    expect(all.runs[0]!.createdAt.toISOString()).toBe("2026-11-19T23:59:00.000Z"); // newest first
    expect(all.metricNames).toEqual(["accuracy", "rmse"]);
    const page3 = await listRuns(db(), wsId, { page: 3, pageSize: 50 });
    expect(page3.runs[0]!.createdAt.toISOString()).toBe("2026-11-19T22:19:00.000Z"); // run 101
    expect((await listRuns(db(), wsId, { pipelineId: pipelineB })).total).toBe(2500);
    expect((await listRuns(db(), wsId, { status: ["failed"] })).total).toBe(2000);
    expect((await listRuns(db(), wsId, { status: ["failed"], pipelineId: pipelineB })).total).toBe(500);
    // One day: runs 1 to 1,440 minutes back.
    expect((await listRuns(db(), wsId, { from: new Date("2026-11-19T00:00:00Z"), to: new Date("2026-11-20T00:00:00Z") })).total).toBe(1440);
  });

  it("sort by a metric, best first either way, runs without it last", async () => {
    const best = await listRuns(db(), wsId, { sort: "accuracy", pageSize: 3 });
    expect(best.runs.map((r) => r.metrics?.accuracy)).toEqual([0.9999, 0.9998, 0.9997]);
    const lowest = await listRuns(db(), wsId, { sort: "rmse", order: "lowest", pageSize: 2 });
    expect(lowest.runs.map((r) => r.metrics?.rmse)).toEqual([1 - 0.9999, 1 - 0.9998].map((x) => expect.closeTo(x, 9)));
    const last = await listRuns(db(), wsId, { sort: "accuracy", page: 200, pageSize: 50 });
    expect(last.runs.every((r) => r.metrics === null)).toBe(true);
  });
});

describe("comparing runs", () => {
  it("puts settings and metrics side by side, marking what differs and what is best", async () => {
    const [a, b] = (await db().execute<{ id: string }>(sql`select id from run where workspace_id = ${wsId} and pipeline_id = ${pipelineA} and metrics is not null order by created_at desc limit 2`)).map((r) => r.id);
    const cmp = await compareRuns(db(), wsId, [a!, b!]);
    expect(cmp.runs.map((r) => r.pipelineVersion).sort()).toEqual([1, 2]);
    const differing = cmp.settings.filter((s) => s.differs).map((s) => `${s.nodeId}.${s.field}`);
    expect(differing).toEqual(["train.nEstimators"]);
    const acc = cmp.metrics.find((m) => m.name === "accuracy")!;
    expect(acc.best).toBe(Math.max(...acc.values.map(Number)));
    const rmse = cmp.metrics.find((m) => m.name === "rmse")!;
    expect(rmse).toMatchObject({ better: "lower", best: Math.min(...rmse.values.map(Number)) });
    await expect(compareRuns(db(), wsId, [a!])).rejects.toThrow("pick at least two runs");
    await expect(compareRuns(db(), wsId, [a!, "00000000-0000-4000-8000-000000000000"])).rejects.toThrow("not found");
  });
});
