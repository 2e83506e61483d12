/**
 * The retraining loop's activities (the workflow is workflows/temporal/retrain-workflow.ts):
 *
 * 1. start — a run of the endpoint's pipeline (latest version, every node computed again) on its
 *    freshest data: each dataset parameter gets the newest upload under its default dataset's
 *    name. Deploy nodes in it register the challenger instead of deploying.
 * 2. gate — the champion (what the endpoint serves) and the challenger are scored on the same
 *    held-out rows: the test set of the run's Evaluate node. The challenger passes when it beats
 *    the champion by the monitor's margin (accuracy higher by it; RMSE lower by it). A pass makes
 *    it the endpoint's shadow: it sees every request and answers no one.
 * 3. shadow — until `shadowRequests` shadow requests or `shadowMinutes`, whichever comes first.
 * 4. conclude — promote the challenger when, over the shadow period, it failed no more often than
 *    the champion (within one point) and, where callers sent feedback for both, scored no worse;
 *    otherwise keep the champion and stop the shadow.
 *
 * Every decision is appended to the retraining's record with its evidence.
 */
import { and, desc, eq, gte, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { datasets, endpoints, modelVersions, monitorAlarms, monitorCounts, retrainings, runNodes, type RetrainDecision } from "~/db/schema";
import { env } from "~/lib/env";
import { messageOf, UserError } from "~/lib/errors";
import { addCounts, emptyCounts, monitorSettings } from "~/lib/monitoring";
import type { ArtifactRef, DatasetRef, LineageStep } from "~/lib/pipeline/plan";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import { recordAudit } from "~/workflows/audit";
import { publishRevision } from "~/workflows/endpoints/revisions";
import { parseModelFile } from "~/workflows/model/model-file";
import { pendingSteps } from "~/workflows/nodes/evaluate/execute";
import { scoreOnHoldout } from "~/workflows/nodes/evaluate/holdout";
import { getPipeline, prepareRun } from "~/workflows/runs/prepare";
import type { RetrainActivities } from "~/workflows/temporal/shared";
import { liveScores } from "./live-scores";


/** Lineage steps whose fitted parameters do not change how the other model reads prepared rows (gaps filled, columns derived, selected or parsed). */
const COMPARABLE_STEPS = new Set(["fill-missing", "derive-column", "select-columns", "cast-types", "date-parts", "filter-rows", "drop-missing", "drop-duplicates"]);

type Tx = Pick<Db, "update">;
const MIN_LABELS = 30;

/** Appends a decision (and sets fields) on a retraining, within `tx` when given. */
async function recordIn(tx: Tx, id: string, d: Omit<RetrainDecision, "at">, set: Partial<typeof retrainings.$inferInsert> = {}) {
  const decision: RetrainDecision = { at: new Date().toISOString(), ...d };
  await tx
    .update(retrainings)
    .set({ ...set, decisions: sql`${retrainings.decisions} || ${JSON.stringify([decision])}::jsonb` })
    .where(eq(retrainings.id, id));
}
const record = (db: Db, id: string, d: Omit<RetrainDecision, "at">, set: Partial<typeof retrainings.$inferInsert> = {}) => recordIn(db, id, d, set);

async function load(db: Db, id: string) {
  const [row] = await db
    .select({ r: retrainings, slug: endpoints.slug, monitor: endpoints.monitor, servedVersionId: endpoints.modelVersionId, traffic: endpoints.traffic })
    .from(retrainings)
    .innerJoin(endpoints, eq(endpoints.id, retrainings.endpointId))
    .where(eq(retrainings.id, id));
  if (!row) throw new UserError(`retraining ${id} no longer exists (its endpoint was deleted)`);
  return row;
}

const versionName = async (db: Db, id: string | null) => {
  if (!id) return "none";
  const [v] = await db.select({ version: modelVersions.version }).from(modelVersions).where(eq(modelVersions.id, id));
  return v ? `v${v.version}` : id;
};

/** Each dataset parameter → the newest dataset uploaded under its default's name (fresh data). */
async function freshParameters(db: Db, workspaceId: string, pipelineId: string) {
  const pipeline = await getPipeline(db, pipelineId);
  const chosen: Record<string, string> = {};
  const notes: string[] = [];
  for (const p of pipeline?.parameters ?? []) {
    if (p.type !== "dataset" || typeof p.default !== "string") continue;
    const [def] = await db.select({ name: datasets.name }).from(datasets).where(eq(datasets.id, p.default));
    if (!def) continue;
    const [newest] = await db
      .select({ id: datasets.id, createdAt: datasets.createdAt })
      .from(datasets)
      .where(and(eq(datasets.workspaceId, workspaceId), eq(datasets.name, def.name)))
      .orderBy(desc(datasets.createdAt))
      .limit(1);
    if (newest) {
      chosen[p.name] = newest.id;
      notes.push(`${p.name}: the newest '${def.name}' (uploaded ${newest.createdAt.toISOString()})`);
    }
  }
  return { chosen, notes };
}

export function createRetrainActivities({ db, artifacts }: { db: Db; artifacts: ArtifactStore }): RetrainActivities {
  return {
    async startRetraining({ endpointId, alarmId }) {
      // A retried start hands back the run it recorded the first time.
      const [earlier] = await db.select().from(retrainings).where(eq(retrainings.alarmId, alarmId));
      if (earlier?.run) return { retrainingId: earlier.id, run: earlier.run, pollSeconds: env().RETRAIN_POLL_SECONDS };
      const [e] = await db.select().from(endpoints).where(eq(endpoints.id, endpointId));
      const [alarm] = await db.select().from(monitorAlarms).where(eq(monitorAlarms.id, alarmId));
      if (!e || !e.pipelineId) return null;
      // One retraining per alarm: a retry after the insert finds the row it made.
      const [row] = await db
        .insert(retrainings)
        .values({ workspaceId: e.workspaceId, endpointId, alarmId, championVersionId: e.modelVersionId, status: "retraining" })
        .onConflictDoNothing()
        .returning({ id: retrainings.id });
      if (!row) {
        const [mine] = await db.select().from(retrainings).where(eq(retrainings.alarmId, alarmId));
        if (mine?.run) return { retrainingId: mine.id, run: mine.run, pollSeconds: env().RETRAIN_POLL_SECONDS };
        if (mine?.status === "failed") return null;
      }
      const id = row?.id ?? (await db.select({ id: retrainings.id }).from(retrainings).where(eq(retrainings.alarmId, alarmId)))[0]!.id;
      if (row) await record(db, id, {
        step: "alarm",
        text: alarm ? `drift on '${alarm.subject}': PSI ${alarm.psi.toFixed(3)}, Jensen–Shannon ${alarm.js.toFixed(3)} over ${alarm.evidence.window}` : "an alarm",
        evidence: alarm ? { subject: alarm.subject, psi: alarm.psi, js: alarm.js, ...alarm.evidence } : {},
      });
      try {
        const { chosen, notes } = await freshParameters(db, e.workspaceId, e.pipelineId);
        const run = await prepareRun(db, e.pipelineId, { purpose: "retrain", ignoreCache: true, parameters: chosen });
        await record(db, id, { step: "retrain", text: `retraining run ${run.runId.slice(0, 8)} of the pipeline's latest version${notes.length ? ` on ${notes.join("; ")}` : ""}`, evidence: { runId: run.runId, parameters: chosen } }, { runId: run.runId, run });
        return { retrainingId: id, run, pollSeconds: env().RETRAIN_POLL_SECONDS };
      } catch (err) {
        await record(db, id, { step: "failed", text: `the retraining run could not start: ${messageOf(err)}` }, { status: "failed", finishedAt: new Date() });
        return null;
      }
    },

    async gateChallenger({ retrainingId }) {
      const { r, slug, monitor, traffic } = await load(db, retrainingId);
      // A retry after the decision: the decision stands.
      if (r.status === "shadowing" || r.status === "promoted") return { passed: true };
      if (r.status === "kept" || r.status === "failed") return { passed: false };
      const s = monitorSettings(monitor);
      const keep = async (text: string, evidence: Record<string, unknown> = {}) => {
        await record(db, retrainingId, { step: "gate", text, evidence }, { status: "kept", finishedAt: new Date() });
        return { passed: false };
      };
      const plan = r.run!.plan.nodes;
      const outputs = new Map((await db.select().from(runNodes).where(eq(runNodes.runId, r.runId!))).map((n) => [n.nodeId, n.outputs ?? {}]));
      // The challenger: what the run's deploy node for this endpoint registered.
      const deploy = plan.find((n) => n.type === "deploy-endpoint" && (n.config as { slug?: string }).slug === slug);
      const challengerId = deploy && (outputs.get(deploy.id)?.endpoint as { modelVersionId?: string } | undefined)?.modelVersionId;
      if (!deploy || !challengerId) return keep(`the retraining run deployed nothing to /${slug}: the champion stays`);
      await db.update(retrainings).set({ challengerVersionId: challengerId, status: "gating" }).where(eq(retrainings.id, retrainingId));
      // The holdout: the test set of the Evaluate node that scored the deployed model.
      const modelFrom = deploy.inputs.model;
      const evaluate = plan.find((n) => n.type === "evaluate" && modelFrom && n.inputs.model?.node === modelFrom.node && n.inputs.model?.port === modelFrom.port);
      const testFrom = evaluate?.inputs.test;
      const test = testFrom ? (outputs.get(testFrom.node)?.[testFrom.port] as ArtifactRef | undefined) : undefined;
      if (!test || test.kind !== "dataset") return keep("the pipeline has no Evaluate node scoring the deployed model, so there is no holdout to gate on: the champion stays");
      const [champion] = await db.select().from(modelVersions).where(eq(modelVersions.id, r.championVersionId!));
      const [challenger] = await db.select().from(modelVersions).where(eq(modelVersions.id, challengerId));
      if (!champion || !challenger) return keep("a model version is gone: the champion stays");
      if (champion.id === challenger.id) return keep(`the retraining produced the model already served (v${champion.version}): nothing to gate`);
      let prepared = false;
      const score = async (uri: string) => {
        const file = parseModelFile(await artifacts.getBytes(uri));
        let pending: LineageStep[];
        try {
          pending = pendingSteps(file, (test as DatasetRef).lineage.steps);
        } catch {
          // The champion's steps were fitted on older data. Where they only fill gaps, derive,
          // select or parse, the rows as the run prepared them stand for both; a fitted scale or
          // encoding would read them differently, and the comparison would mean nothing.
          const unstable = file.lineage.steps.filter((st) => !COMPARABLE_STEPS.has(st.type)).map((st) => st.type);
          if (unstable.length) throw new UserError(`the champion's fitted steps (${[...new Set(unstable)].join(", ")}) would read the held-out rows differently`);
          prepared = true;
          pending = [];
        }
        return (await scoreOnHoldout(artifacts, file, test as DatasetRef, pending)).result.metrics;
      };
      let a: Record<string, number>;
      let b: Record<string, number>;
      try {
        [a, b] = await Promise.all([score(champion.artifactUri), score(challenger.artifactUri)]);
      } catch (err) {
        return keep(`the champion and the challenger could not be scored on the same rows (${messageOf(err)}): the champion stays`);
      }
      const metric = champion.task === "classification" ? "accuracy" : "rmse";
      const higher = metric === "accuracy";
      const champ = a[metric]!;
      const chall = b[metric]!;
      const gain = higher ? chall - champ : champ - chall;
      const evidence = { metric, champion: champ, challenger: chall, margin: s.gateMargin, rows: test.rows, championVersion: champion.version, challengerVersion: challenger.version, championReadPreparedRows: prepared };
      const words = `challenger v${challenger.version} ${metric} ${chall.toFixed(4)} against champion v${champion.version} ${champ.toFixed(4)} on ${test.rows} held-out rows`;
      if (gain < s.gateMargin!) return keep(`${words}: it does not beat the champion by ${s.gateMargin} — the champion stays`, evidence);
      // Passed: the challenger shadows the champion (it sees every request, answers no one).
      const shadowing = [{ modelVersionId: champion.id, weight: 1 }, ...(traffic ?? []).filter((v) => v.modelVersionId !== champion.id && v.modelVersionId !== challenger.id && !v.shadow), { modelVersionId: challenger.id, weight: 0, shadow: true }];
      const still = await db.transaction(async (tx) => {
        // What the endpoint serves now: a deploy during the retraining run is not undone.
        const [now] = await tx.select({ modelVersionId: endpoints.modelVersionId }).from(endpoints).where(eq(endpoints.id, r.endpointId)).for("update");
        if (now?.modelVersionId !== champion.id) return false;
        await publishRevision(tx, { endpointId: r.endpointId, modelVersionId: champion.id, traffic: shadowing, kind: "retrain" });
        await recordAudit(tx as unknown as Db, { action: "retrain.shadow", workspaceId: r.workspaceId, target: slug, details: { retrainingId, challenger: challenger.version } });
        await recordIn(tx, retrainingId, { step: "gate", text: `${words}: it beats the champion by ${gain.toFixed(4)} (margin ${s.gateMargin}) — shadowing`, evidence }, { status: "shadowing" });
        return true;
      });
      if (!still) return keep(`${words}, but /${slug} was deployed meanwhile: what it serves now stays`, evidence);
      return { passed: true };
    },

    async shadowDone({ retrainingId }) {
      const { r, monitor } = await load(db, retrainingId);
      const s = monitorSettings(monitor);
      const since = new Date(r.decisions.find((d) => d.step === "gate")?.at ?? r.startedAt);
      if (Date.now() - since.getTime() >= s.shadowMinutes! * 60_000) return true;
      if (!s.shadowRequests) return false;
      const rows = await db
        .select({ counts: monitorCounts.counts })
        .from(monitorCounts)
        .where(and(eq(monitorCounts.endpointId, r.endpointId), eq(monitorCounts.modelVersionId, r.challengerVersionId!), eq(monitorCounts.role, "shadow"), gte(monitorCounts.minute, new Date(Math.floor(since.getTime() / 60_000) * 60_000))));
      return rows.reduce((n, x) => n + x.counts.requests, 0) >= s.shadowRequests;
    },

    async concludeRetraining({ retrainingId }) {
      const { r, slug, traffic, servedVersionId } = await load(db, retrainingId);
      // A retry after the verdict: the verdict stands.
      if (r.status === "promoted" || r.status === "kept") return { promoted: r.status === "promoted" };
      const since = new Date(r.decisions.find((d) => d.step === "gate")?.at ?? r.startedAt);
      const minute = new Date(Math.floor(since.getTime() / 60_000) * 60_000);
      const period = await db
        .select({ modelVersionId: monitorCounts.modelVersionId, role: monitorCounts.role, counts: monitorCounts.counts })
        .from(monitorCounts)
        .where(and(eq(monitorCounts.endpointId, r.endpointId), gte(monitorCounts.minute, minute)));
      const total = (versionId: string, role: "live" | "shadow") => period.filter((p) => p.modelVersionId === versionId && p.role === role).reduce((t, p) => addCounts(t, p.counts), emptyCounts());
      const live = total(r.championVersionId!, "live");
      const shadow = total(r.challengerVersionId!, "shadow");
      const failRate = (c: { requests: number; failed: number }) => (c.requests ? c.failed / c.requests : 0);
      const [champion] = await db.select().from(modelVersions).where(eq(modelVersions.id, r.championVersionId!));
      const scores = await liveScores(db, r.endpointId, champion!.task, since);
      const liveScore = scores.find((x) => x.modelVersionId === r.championVersionId && !x.shadow);
      const shadowScore = scores.find((x) => x.modelVersionId === r.challengerVersionId && x.shadow);
      // Feedback decides only with enough labels on both sides (a handful could flip the verdict).
      const labelled = liveScore && shadowScore && liveScore.labelled >= MIN_LABELS && shadowScore.labelled >= MIN_LABELS;
      const accuracy = (x: typeof liveScore) => (x && "accuracy" in x ? x.accuracy : undefined);
      const rmse = (x: typeof liveScore) => (x && "rmse" in x ? x.rmse : undefined);
      const worseOnLabels =
        labelled &&
        ((accuracy(shadowScore) !== undefined && accuracy(shadowScore)! < accuracy(liveScore)!) || (rmse(shadowScore) !== undefined && rmse(shadowScore)! > rmse(liveScore)!));
      const failsMore = failRate(shadow) > failRate(live) + 0.01;
      const evidence = {
        shadowRequests: shadow.requests,
        shadowFailed: shadow.failed,
        liveRequests: live.requests,
        liveFailed: live.failed,
        labelled: labelled ? { champion: liveScore, challenger: shadowScore } : null,
      };
      const challengerName = await versionName(db, r.challengerVersionId);
      const championName = await versionName(db, r.championVersionId);
      const observed = `over the shadow period the challenger ${challengerName} answered ${shadow.requests} requests (${shadow.failed} failed), the champion ${championName} ${live.requests} (${live.failed} failed)${labelled ? `; with feedback, challenger ${accuracy(shadowScore) ?? rmse(shadowScore)} against champion ${accuracy(liveScore) ?? rmse(liveScore)}` : `; fewer than ${MIN_LABELS} labels for one of them`}`;
      const promote = !failsMore && !worseOnLabels && servedVersionId === r.championVersionId;
      const why = promote
        ? `${observed}: promoted ${challengerName}`
        : servedVersionId !== r.championVersionId
          ? `${observed}; the endpoint was deployed meanwhile: kept what it serves`
          : `${observed}: ${failsMore ? "it failed more often" : "it scored worse on feedback"} — kept ${championName}`;
      // The revision and the verdict in one transaction: a retry finds the verdict, not a half-done promotion.
      await db.transaction(async (tx) => {
        if (promote) await publishRevision(tx, { endpointId: r.endpointId, modelVersionId: r.challengerVersionId!, traffic: null, kind: "retrain" });
        else {
          // Keep: the champion answers alone again (a deploy meanwhile is left as it is).
          const rest = (traffic ?? []).filter((v) => v.modelVersionId !== r.challengerVersionId);
          if (servedVersionId === r.championVersionId) await publishRevision(tx, { endpointId: r.endpointId, modelVersionId: r.championVersionId!, traffic: rest.length > 1 ? rest : null, kind: "retrain" });
        }
        await recordAudit(tx as unknown as Db, { action: promote ? "retrain.promote" : "retrain.keep", workspaceId: r.workspaceId, target: slug, details: { retrainingId, ...evidence } });
        await recordIn(tx, retrainingId, { step: promote ? "promote" : "keep", text: why, evidence }, { status: promote ? "promoted" : "kept", finishedAt: new Date() });
      });
      return { promoted: promote };
    },

    async failRetraining({ retrainingId, error }) {
      const { r, traffic, servedVersionId } = await load(db, retrainingId);
      if (r.status === "promoted" || r.status === "kept" || r.status === "failed") return;
      await db.transaction(async (tx) => {
        // A challenger left shadowing goes: the champion answers alone again.
        if (r.status === "shadowing" && servedVersionId === r.championVersionId && (traffic ?? []).some((v) => v.modelVersionId === r.challengerVersionId)) {
          const rest = (traffic ?? []).filter((v) => v.modelVersionId !== r.challengerVersionId);
          await publishRevision(tx, { endpointId: r.endpointId, modelVersionId: r.championVersionId!, traffic: rest.length > 1 ? rest : null, kind: "retrain" });
        }
        const what = r.status === "shadowing" ? "the retraining loop stopped" : "the retraining run did not succeed";
        await recordIn(tx, retrainingId, { step: "failed", text: `${what} (${error}): the champion stays` }, { status: "failed", finishedAt: new Date() });
      });
    },
  };
}
