/**
 * Dataset triggers: when a dataset of a given name gets a new version (a new upload under that
 * name), run a pipeline's latest version, passing the new dataset to one of its dataset parameters.
 *
 * A trigger keeps a cursor: the creation time of the newest dataset version it has handled.
 * Firing claims the next version by moving the cursor in one conditional UPDATE, so each version
 * starts at most one run however many web processes look at once. An upload fires its name's
 * triggers straight away; a sweep every TRIGGER_SWEEP_MS catches what a process that died
 * in between did not — a new version never looked at, or one claimed by a process that died
 * before recording its run (claimed again after two minutes). When several versions arrive between two looks, only the newest runs.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "~/db/client";
import { pipelineTriggers, runs } from "~/db/schema";
import { ConflictError, InvalidError, messageOf, messageWithProblems, NotFoundError } from "~/lib/errors";
import { recordAudit } from "~/workflows/audit";
import { getPipeline } from "~/workflows/runs/prepare";
import { getSpec } from "~/workflows/nodes/registry";
import { isParameterRef } from "~/lib/pipeline/parameters";
import { auditActor, type Actor } from "../auth/policy";
import { isUuid } from "../http/errors";
import { startRun } from "../runs/service";

export const triggerBody = z
  .object({
    datasetName: z.string().trim().min(1).max(200),
    /** The pipeline's dataset parameter that receives the new version (the run reads what its ingest node reads from it). */
    parameter: z.string().min(1).max(64),
  })
  .strict();

export const triggerUpdate = z.object({ paused: z.boolean() }).strict();

const columns = {
  id: pipelineTriggers.id,
  datasetName: pipelineTriggers.datasetName,
  parameter: pipelineTriggers.parameter,
  paused: pipelineTriggers.paused,
  createdAt: pipelineTriggers.createdAt,
  lastDatasetId: pipelineTriggers.lastDatasetId,
  lastRunId: pipelineTriggers.lastRunId,
  lastFiredAt: pipelineTriggers.lastFiredAt,
  lastError: pipelineTriggers.lastError,
};

/** A pipeline's triggers, with what each last did (its run's status). */
export async function listTriggers(db: Db, pipelineId: string) {
  return db
    .select({ ...columns, lastRunStatus: runs.status })
    .from(pipelineTriggers)
    .leftJoin(runs, eq(runs.id, pipelineTriggers.lastRunId))
    .where(eq(pipelineTriggers.pipelineId, pipelineId))
    .orderBy(asc(pipelineTriggers.createdAt));
}

/**
 * Checks a trigger against the pipeline's latest version: the parameter must be a declared dataset
 * parameter; a pipeline that deploys needs its creator's right to deploy (`checkDeploy`).
 */
async function checkAgainstPipeline(db: Db, pipelineId: string, parameter: string, checkDeploy: () => void) {
  const pipeline = await getPipeline(db, pipelineId);
  if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId} not found`);
  // A trigger must hand the new version to the run: without a dataset parameter the run would read
  // (and reuse) what it read before, and a "new version" run would train on the old data.
  const p = pipeline.parameters?.find((x) => x.name === parameter);
  const datasetParams = (pipeline.parameters ?? []).filter((x) => x.type === "dataset").map((x) => x.name);
  if (!p || p.type !== "dataset") {
    const why = datasetParams.length
      ? `the pipeline's dataset parameters are ${datasetParams.join(", ")}`
      : "the pipeline declares no dataset parameter: declare one (Parameters), use it in the ingest node's dataset, and save";
    throw InvalidError.withProblems(`'${parameter}' is not a dataset parameter of the pipeline: ${why}`, [{ path: "parameter", message: `not a dataset parameter (${why})` }]);
  }
  const used = pipeline.nodes.some((n) => Object.values(n.config ?? {}).some((v) => isParameterRef(v) && v.$param === parameter));
  if (!used) {
    throw InvalidError.withProblems(`no node reads parameter '${parameter}': use it in the ingest node's dataset (use parameter…) and save, so runs read the new version`, [
      { path: "parameter", message: "no node reads it" },
    ]);
  }
  if (pipeline.nodes.some((n) => getSpec(n.type)?.stage === "deploy")) checkDeploy();
}

export async function createTrigger(db: Db, actor: Actor, workspaceId: string, pipelineId: string, body: z.infer<typeof triggerBody>, checkDeploy: () => void) {
  await checkAgainstPipeline(db, pipelineId, body.parameter, checkDeploy);
  const [row] = await db
    .insert(pipelineTriggers)
    .values({ workspaceId, pipelineId, datasetName: body.datasetName, parameter: body.parameter, createdBy: actor.userId ?? null })
    .onConflictDoNothing()
    .returning(columns);
  if (!row) throw new ConflictError(`the pipeline already has a trigger on datasets named '${body.datasetName}'`);
  await recordAudit(db, { action: "trigger.create", workspaceId, ...auditActor(actor), target: pipelineId, details: { triggerId: row.id, datasetName: body.datasetName, parameter: body.parameter } });
  return { ...row, lastRunStatus: null };
}

async function own(db: Db, pipelineId: string, triggerId: string) {
  if (!isUuid(triggerId)) throw InvalidError.withProblems("not a trigger id", [{ path: "triggerId", message: "a trigger id is a UUID" }]);
  const [t] = await db
    .select({ id: pipelineTriggers.id })
    .from(pipelineTriggers)
    .where(and(eq(pipelineTriggers.id, triggerId), eq(pipelineTriggers.pipelineId, pipelineId)));
  if (!t) throw new NotFoundError(`pipeline ${pipelineId} has no trigger ${triggerId}`);
}

export async function setTriggerPaused(db: Db, actor: Actor, workspaceId: string, pipelineId: string, triggerId: string, paused: boolean) {
  await own(db, pipelineId, triggerId);
  // Resuming starts from now: versions uploaded while paused do not all fire at once.
  const [row] = await db
    .update(pipelineTriggers)
    .set(paused ? { paused } : { paused, lastSeenAt: sql`greatest(${pipelineTriggers.lastSeenAt}, now())` })
    .where(eq(pipelineTriggers.id, triggerId))
    .returning(columns);
  await recordAudit(db, { action: paused ? "trigger.pause" : "trigger.resume", workspaceId, ...auditActor(actor), target: pipelineId, details: { triggerId } });
  return row!;
}

export async function deleteTrigger(db: Db, actor: Actor, workspaceId: string, pipelineId: string, triggerId: string) {
  await own(db, pipelineId, triggerId);
  await db.delete(pipelineTriggers).where(eq(pipelineTriggers.id, triggerId));
  await recordAudit(db, { action: "trigger.delete", workspaceId, ...auditActor(actor), target: pipelineId, details: { triggerId } });
  return { deleted: triggerId };
}

interface Due {
  id: string;
  pipeline_id: string;
  parameter: string | null;
  created_by: string | null;
  dataset_id: string;
}

/**
 * Fires every trigger with a dataset version newer than its cursor (of one workspace and name, or
 * all of them), one run each for the newest version. Returns the runs started.
 */
export async function fireTriggers(db: Db, scope?: { workspaceId: string; datasetName: string }) {
  const due = (await db.execute(sql`
    select t.id, t.pipeline_id, t.parameter, t.created_by, d.id as dataset_id
      from pipeline_trigger t
      join lateral (
        select id from dataset d
         where d.workspace_id = t.workspace_id and d.name = t.dataset_name and d.created_at > t.last_seen_at
         order by d.created_at desc limit 1
      ) d on true
     where not t.paused
       ${scope ? sql`and t.workspace_id = ${scope.workspaceId} and t.dataset_name = ${scope.datasetName}` : sql``}`)) as unknown as Due[];
  // Versions claimed by a process that died before its run was recorded: claimed again after two minutes.
  const stranded = scope
    ? []
    : ((await db.execute(sql`
        select t.id, t.pipeline_id, t.parameter, t.created_by, t.last_dataset_id as dataset_id
          from pipeline_trigger t
         where not t.paused and t.last_dataset_id is not null and t.last_run_id is null and t.last_error is null
           and t.last_fired_at < now() - interval '2 minutes'`)) as unknown as Due[]);
  const started: { triggerId: string; runId: string }[] = [];
  for (const t of [...due.map((d) => ({ ...d, again: false })), ...stranded.map((d) => ({ ...d, again: true }))]) {
    // The claim: only the process that moves the cursor past this version (or, for a stranded
    // claim, renews it) starts its run.
    const claimed = t.again
      ? ((await db.execute(sql`
          update pipeline_trigger set last_fired_at = now()
           where id = ${t.id} and last_dataset_id = ${t.dataset_id} and last_run_id is null and last_error is null and last_fired_at < now() - interval '2 minutes'
           returning id`)) as unknown as { id: string }[])
      : ((await db.execute(sql`
          update pipeline_trigger set last_seen_at = d.created_at, last_dataset_id = d.id, last_fired_at = now(), last_run_id = null, last_error = null
            from dataset d
           where pipeline_trigger.id = ${t.id} and d.id = ${t.dataset_id} and pipeline_trigger.last_seen_at < d.created_at
           returning pipeline_trigger.id`)) as unknown as { id: string }[]);
    if (!claimed.length) continue;
    try {
      const { runId } = await startRun(db, t.pipeline_id, {
        startedBy: t.created_by,
        triggerId: t.id,
        parameters: t.parameter ? { [t.parameter]: t.dataset_id } : undefined,
      });
      await db.update(pipelineTriggers).set({ lastRunId: runId }).where(eq(pipelineTriggers.id, t.id));
      started.push({ triggerId: t.id, runId });
    } catch (e) {
      // A run that could not even be recorded (the pipeline no longer compiles with this dataset):
      // the reason stays on the trigger, where its page shows it. A recorded run that failed to
      // start carries its own reason.
      const runId = (e as { details?: { runId?: string } }).details?.runId ?? null;
      await db.update(pipelineTriggers).set({ lastError: messageWithProblems(e).slice(0, 2000), lastRunId: runId }).where(eq(pipelineTriggers.id, t.id));
    }
  }
  return started;
}

/**
 * After an upload: the triggers on its name fire now, off the request (the sweep catches one a dying
 * process missed). Kept out of the dataset service so importing a dataset needs no Temporal client.
 */
export function datasetUploaded(db: Db, workspaceId: string, datasetName: string) {
  fireTriggers(db, { workspaceId, datasetName }).catch((e: unknown) => console.error(`[triggers] after '${datasetName}' was uploaded: ${messageOf(e)}`));
}
