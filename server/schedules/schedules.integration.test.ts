/**
 * Schedules on a real Temporal server and a real worker: a cron schedule with its next times, a
 * scheduled run that records and runs the pipeline's latest version, pause and resume, a
 * pipeline that no longer compiles getting a failed run that says why, and deletion.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeDb, db } from "~/db/client";
import { DEFAULT_WORKSPACE_ID, runs } from "~/db/schema";
import { InvalidError } from "~/lib/errors";
import { demoCsv, demoPipeline } from "~/lib/templates/demo";
import type { Child } from "~/server/launcher/children";
import { spawnWorker } from "~/server/testing/services";
import { artifactStore } from "~/workflows/artifacts";
import { closeTemporalClient } from "~/workflows/temporal/client";
import { importCsv } from "../datasets/service";
import { createPipeline, savePipelineVersion } from "../pipelines/repository";
import { createSchedule, deleteSchedule, listSchedules, setPaused, triggerSchedule } from "./service";

const services = inject("services");
let worker: Child;
const actor = { kind: "user" as const, userId: null as unknown as string, email: "scheduler@example.com", name: "Scheduler", isAdmin: false };

beforeAll(() => {
  worker = spawnWorker(services, "schedule-worker");
});
afterAll(async () => {
  await worker?.stop();
  await closeTemporalClient();
  await closeDb();
});

async function runsOf(scheduleId: string, until: (rows: (typeof runs.$inferSelect)[]) => boolean) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const rows = await db().select().from(runs).where(eq(runs.scheduleId, scheduleId));
    if (until(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`runs of ${scheduleId}: ${JSON.stringify(rows.map((r) => r.status))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("schedules", () => {
  it("runs the pipeline on a cron schedule (triggered here), pauses, resumes and goes away", async () => {
    const ds = await importCsv(db(), artifactStore(), DEFAULT_WORKSPACE_ID, "scheduled", Buffer.from(demoCsv(200, 3)));
    const doc = demoPipeline(ds.id);
    doc.nodes = doc.nodes.filter((n) => n.type !== "deploy-endpoint" && n.type !== "monitor-endpoint");
    doc.edges = doc.edges.filter((e) => doc.nodes.some((n) => n.id === e.target) && doc.nodes.some((n) => n.id === e.source));
    doc.nodes.find((n) => n.type === "random-forest")!.config = { target: "target", nEstimators: 10 };
    const { id } = await createPipeline(db(), DEFAULT_WORKSPACE_ID, doc);

    await expect(createSchedule(db(), actor, DEFAULT_WORKSPACE_ID, id, { cron: "61 * * * *", timezone: "UTC" })).rejects.toBeInstanceOf(InvalidError);
    const s = await createSchedule(db(), actor, DEFAULT_WORKSPACE_ID, id, { cron: "0 6 * * *", timezone: "UTC", note: "daily retrain" });
    expect(s).toMatchObject({ cron: "0 6 * * *", timezone: "UTC", paused: false });
    expect(s.nextRuns).toHaveLength(3);
    for (const t of s.nextRuns) {
      expect(new Date(t).getUTCHours()).toBe(6);
      expect(new Date(t).getUTCMinutes()).toBe(0);
      expect(new Date(t).getTime()).toBeGreaterThan(Date.now());
    }
    expect((await listSchedules(id)).map((x) => x.id)).toEqual([s.id]);

    await triggerSchedule(id, s.id);
    const [run] = await runsOf(s.id, (rows) => rows.length === 1 && rows[0]!.status === "succeeded");
    expect(run).toMatchObject({ pipelineId: id, pipelineVersion: 1 });

    expect((await setPaused(db(), actor, DEFAULT_WORKSPACE_ID, id, s.id, true)).paused).toBe(true);
    expect((await setPaused(db(), actor, DEFAULT_WORKSPACE_ID, id, s.id, false)).paused).toBe(false);

    // A version that does not compile: the scheduled run is recorded as failed, saying why.
    const broken = structuredClone(doc);
    broken.nodes.find((n) => n.type === "random-forest")!.config = { target: "no_such_column", nEstimators: 10 };
    await savePipelineVersion(db(), id, broken);
    await triggerSchedule(id, s.id);
    const after = await runsOf(s.id, (rows) => rows.length === 2);
    const failed = after.find((r) => r.id !== run!.id)!;
    expect(failed).toMatchObject({ status: "failed", pipelineVersion: 2 });
    expect(failed.error).toMatch(/^the scheduled run did not start: the pipeline does not compile/);
    expect(failed.error).toContain("no_such_column");

    await deleteSchedule(db(), actor, DEFAULT_WORKSPACE_ID, id, s.id);
    expect(await listSchedules(id)).toEqual([]);
    await expect(setPaused(db(), actor, DEFAULT_WORKSPACE_ID, id, s.id, true)).rejects.toThrow("has no schedule");
    expect(await db().select().from(runs).where(and(eq(runs.pipelineId, id), eq(runs.status, "running")))).toEqual([]);
  }, 240_000);
});
