/**
 * The serving runtime: endpoints answered from memory. It holds every endpoint's live models,
 * traffic split and the serving keys (server/serving/table.ts), learns about deploys,
 * rollbacks, traffic changes and keys through Postgres LISTEN/NOTIFY (triggers on `endpoint`
 * and `serving_key` send them at commit) and reconciles everything every RECONCILE_MS in case a
 * notification was missed (a dropped connection). A new revision's models are loaded before it
 * is swapped in, so the old one answers until the new one can: no request fails across a deploy.
 *
 * Protocol-neutral: server/serving/http.ts turns Millrace's, the Open Inference Protocol's and
 * MLflow's requests into rows and calls `score`.
 */
import { requestId as newRequestId } from "./request-id";
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, servingKeys } from "~/db/schema";
import { sha256 } from "~/lib/crypto";
import { InvalidError, NotFoundError, UnauthenticatedError, ForbiddenError } from "~/lib/errors";
import { SLUG } from "~/lib/pipeline/endpoint";
import type { ArtifactStore } from "~/workflows/artifacts/store";
import type { Label } from "~/workflows/model/model-file";
import { checkGuardrails, stopVariant, trafficBreach } from "../endpoints/guardrails";
import { metrics } from "../metrics/registry";
import { bearerToken } from "../http/bearer";
import { env } from "~/lib/env";
import { logIds, PredictionLog, pruneLog } from "./prediction-log";
import { RateLimiter } from "./rate-limits";
import { buildServed, ModelCache, readEndpoints, readKeys, type KeyInfo, type Served, type Variant } from "./table";
import { flushWindow } from "../monitoring/counts";
import { LiveWindow } from "../monitoring/window";
import { validateInstances } from "~/workflows/model/validate";

const SERVING_CHANNEL = "millrace_serving";
const RECONCILE_MS = 30_000;
const KEY_USE_FLUSH_MS = 10_000;
/** How often each process publishes its rate-limited keys' use and reads the others' (a key's limit is shared). */
const RATE_SYNC_MS = 1000;
const PRUNE_MS = 3_600_000;
const GUARDRAIL_MS = 60_000;
/** How often each variant's live window is added to the current minute's row in Postgres. */
const MONITOR_FLUSH_MS = 5_000;

export interface Scored {
  predictions: Label[];
  probabilities?: Record<string, number>[];
  variant: Variant;
  requestId: string;
  /** Request fields the model does not know, ignored. */
  ignored: string[];
  /** Features given a category training never saw (scored as a missing value). */
  unseen: string[];
}

/** A number in [0, 1) from a caller's key (FNV-1a): the same key always lands on the same variant. */
function unitHash(key: string) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 4294967296;
}

export class ServingRuntime {
  private served = new Map<string, Served>();
  /** Live windows by endpoint, model version and role: kept across revisions, so no count is lost in a swap. */
  private windows = new Map<string, { endpointId: string; modelVersionId: string; role: "live" | "shadow"; window: LiveWindow }>();
  private signatures = new Map<string, string>();
  private keys = new Map<string, KeyInfo>();
  private refreshes = new Map<string, number>();
  private limiter = new RateLimiter();
  private cache: ModelCache;
  private usedKeys = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => Promise<void>) | null = null;
  readonly log: PredictionLog;
  /** Set once the first load finished: /v2/health/ready answers 200 from then on. */
  ready = false;

  constructor(
    private db: Db,
    artifacts: ArtifactStore,
  ) {
    this.cache = new ModelCache(artifacts);
    this.log = new PredictionLog(db);
  }

  /** Loads everything, then follows changes. `listen: false` for tests that drive `refresh` themselves. */
  async start({ listen = true }: { listen?: boolean } = {}) {
    await this.reconcile();
    if (listen) {
      // postgres.js reconnects a dropped LISTEN connection and calls onlisten again: a full
      // reconcile then catches whatever changed while it was away.
      const sub = await this.db.$sql.listen(SERVING_CHANNEL, (payload) => void this.onNotify(payload), () => {
        if (this.ready) void this.reconcile().catch((e: unknown) => console.error("[serving] reconcile failed:", (e as Error).message));
      });
      this.unlisten = sub.unlisten;
    }
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((e: unknown) => console.error("[serving]", (e as Error).message)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(RECONCILE_MS, () => this.reconcile());
    every(KEY_USE_FLUSH_MS, () => this.flushKeyUse());
    every(RATE_SYNC_MS, () => this.syncRateLimits());
    every(PRUNE_MS, () => pruneLog(this.db, env().PREDICTION_LOG_RETENTION_DAYS));
    every(GUARDRAIL_MS, () => this.checkGuardrails());
    every(MONITOR_FLUSH_MS, () => this.flushWindows());
    this.ready = true;
  }

  async stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.unlisten?.().catch(() => {});
    await this.log.flush();
    await this.flushKeyUse().catch(() => {});
    await this.limiter.retire(this.db).catch(() => {});
    await this.flushWindows().catch(() => {});
  }

  private async onNotify(payload: string) {
    try {
      if (payload === "keys") this.setKeys(await readKeys(this.db));
      else if (payload.startsWith("endpoint:")) await this.refresh(payload.slice("endpoint:".length));
    } catch (e) {
      console.error(`[serving] could not apply change '${payload}': ${(e as Error).message}`);
    }
  }

  /** Gives each variant its live window (the same one a previous revision of that version and role counted in). */
  private attachWindows(served: Served) {
    for (const v of [...served.live, ...served.shadows]) {
      const role = v.shadow ? "shadow" : "live";
      const key = `${served.endpointId}:${v.modelVersionId}:${role}`;
      let entry = this.windows.get(key);
      if (!entry) this.windows.set(key, (entry = { endpointId: served.endpointId, modelVersionId: v.modelVersionId, role, window: new LiveWindow(v.model.file.profile) }));
      v.window = entry.window;
    }
  }

  /** Adds what each window counted since the last flush to the current minute's row; windows no revision uses any more go once empty. */
  async flushWindows() {
    // A copy: windows attached while this awaits are flushed next time, not dropped.
    for (const w of [...this.windows.values()]) {
      if (w.window.pending) {
        const counts = w.window.take();
        try {
          await flushWindow(this.db, w.endpointId, w.modelVersionId, w.role, counts);
        } catch (e) {
          // Not lost: counted again into the window, written with the next flush.
          w.window.putBack(counts);
          throw e;
        }
      }
    }
    // Read after the awaits (a revision swapped in meanwhile may use a window): windows no variant
    // uses any more go once they are empty.
    const used = new Set<LiveWindow>();
    for (const s of this.served.values()) for (const v of [...s.live, ...s.shadows]) if (v.window) used.add(v.window);
    for (const [key, w] of this.windows) if (!used.has(w.window) && !w.window.pending) this.windows.delete(key);
  }

  private setKeys(keys: Map<string, KeyInfo>) {
    this.keys = keys;
    this.limiter.forget(new Set([...keys.values()].map((k) => k.id)));
  }

  /** Re-reads one endpoint and swaps it in once its models are loaded (a later refresh of the same slug wins). */
  async refresh(slug: string) {
    const n = (this.refreshes.get(slug) ?? 0) + 1;
    this.refreshes.set(slug, n);
    const [row] = await readEndpoints(this.db, slug);
    const next = row ? await buildServed(this.db, this.cache, row) : undefined;
    if (this.refreshes.get(slug) !== n) return;
    if (next) {
      this.attachWindows(next);
      this.served.set(slug, next);
      this.signatures.set(slug, JSON.stringify(row));
    } else {
      this.served.delete(slug);
      this.signatures.delete(slug);
    }
  }

  /** One endpoint as it is now (read afresh), for a runtime that follows no changes; drops models no endpoint it holds serves. */
  async servedNow(slug: string): Promise<Served | undefined> {
    await this.refresh(slug);
    this.retainServedModels();
    return this.served.get(slug);
  }

  private retainServedModels() {
    const live = new Set<string>();
    for (const s of this.served.values()) for (const v of [s.primary, ...s.live, ...s.shadows]) live.add(v.modelVersionId);
    this.cache.retain(live);
  }

  /** Re-reads every endpoint and key; rebuilds only what changed. */
  async reconcile() {
    // What a notification refreshed while this ran is newer than what it read: left alone.
    const generation = new Map(this.refreshes);
    const untouched = (slug: string) => this.refreshes.get(slug) === generation.get(slug);
    const rows = await readEndpoints(this.db);
    const seen = new Set<string>();
    await Promise.all(
      rows.map(async (row) => {
        seen.add(row.slug);
        if (this.signatures.get(row.slug) === JSON.stringify(row)) return;
        try {
          const built = await buildServed(this.db, this.cache, row);
          if (!untouched(row.slug)) return;
          this.attachWindows(built);
          this.served.set(row.slug, built);
          this.signatures.set(row.slug, JSON.stringify(row));
        } catch (e) {
          // The old revision (if any) keeps answering; the next reconcile tries again.
          console.error(`[serving] endpoint '${row.slug}' could not be loaded: ${(e as Error).message}`);
        }
      }),
    );
    for (const slug of this.served.keys()) {
      if (seen.has(slug) || !untouched(slug)) continue;
      this.served.delete(slug);
      this.signatures.delete(slug);
    }
    this.setKeys(await readKeys(this.db));
    this.retainServedModels();
  }

  /**
   * A/B guardrails (server/endpoints/guardrails.ts): on feedback, checked by one serving process
   * at a time; on error rate and latency, by each process on the traffic it saw.
   */
  async checkGuardrails() {
    await this.log.flush();
    const decisions: Awaited<ReturnType<typeof checkGuardrails>> = await this.db.transaction(async (tx) => {
      const [lock] = await tx.execute<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(hashtext('millrace:guardrails')) as ok`);
      return lock?.ok ? checkGuardrails(this.db) : [];
    });
    for (const served of this.served.values()) {
      if (!served.live.some((v) => v.guardrail)) continue;
      for (const v of served.live) {
        if (!v.guardrail) continue;
        const reason = trafficBreach(v.guardrail, { requests: v.stats.requests, errors: v.stats.errors, p99Ms: v.stats.p99Ms() });
        if (!reason) continue;
        const [row] = await this.db.select().from(endpoints).where(eq(endpoints.id, served.endpointId));
        // Judged on the revision this process serves: if the endpoint moved on, so does the judgement.
        if (!row || row.revision !== served.revision || !row.traffic) continue;
        const variant = row.traffic.find((t) => t.modelVersionId === v.modelVersionId && !t.shadow);
        if (!variant) continue;
        const decision = await stopVariant(this.db, row, variant, v.version, reason);
        if (decision) decisions.push(decision);
        if (decision?.action === "stopped") break;
      }
    }
    return decisions;
  }

  /** Publishes this process's use of rate-limited keys and takes in the other processes' (every second). */
  syncRateLimits() {
    return this.limiter.sync(this.db, this.keys.values());
  }

  private async flushKeyUse() {
    if (!this.usedKeys.size) return;
    const ids = [...this.usedKeys];
    this.usedKeys.clear();
    await this.db.update(servingKeys).set({ lastUsedAt: new Date() }).where(inArray(servingKeys.id, ids));
  }

  /** The endpoint behind a slug, as this process serves it now. */
  endpoint(slug: string): Served | undefined {
    return SLUG.test(slug) ? this.served.get(slug) : undefined;
  }

  /** Every endpoint served (for the OIP server metadata and health). */
  get size() {
    return this.served.size;
  }

  /**
   * Who may call: a public endpoint anyone (a key, if sent, must be valid); a private one only
   * a key of its workspace that covers it. An endpoint of another workspace is "not found".
   */
  authorize(slug: string, authorization: string | undefined): Served {
    let key: KeyInfo | undefined;
    const token = bearerToken(authorization);
    // Serving keys are mrk_…; any other credential (an API token a script sends everywhere) is
    // not one, and the request is taken as anonymous.
    const servingKey = token?.startsWith("mrk_") ? token : undefined;
    if (servingKey) {
      key = this.keys.get(sha256(servingKey));
      if (!key) throw new UnauthenticatedError("the serving key is not valid (revoked, mistyped or never issued)");
    }
    const served = this.endpoint(slug);
    if (!served || (key && key.workspaceId !== served.workspaceId)) throw new NotFoundError(`no endpoint '${slug}'`);
    if (!key) {
      if (served.access === "private") {
        throw new UnauthenticatedError(
          token ? `endpoint '${slug}' takes serving keys (mrk_…), not API tokens: create one in Settings → Serving keys` : `endpoint '${slug}' is private: send Authorization: Bearer <serving key>`,
        );
      }
      return served;
    }
    if (key.endpoints && !key.endpoints.has(slug)) throw new ForbiddenError(`key '${key.name}' may not call endpoint '${slug}'`);
    this.limiter.take(key);
    this.usedKeys.add(key.id);
    return served;
  }

  /**
   * Scores raw rows on the variant the traffic split draws (sticky by `stickyKey` when given;
   * `variant` pins one), mirrors them to shadows after answering, and logs them (as sampled).
   * `where` names a field of a row in the caller's protocol (default: Millrace's `instances[i].field`);
   * `text` is the JSON text of a single row as the caller sent it (logged as it is unless
   * validation rewrote a value in it, which saves serializing it again).
   */
  score(served: Served, rows: unknown[], opts: { batch: boolean; stickyKey?: string; variant?: Variant; where?: (instance: number, field: string) => string; text?: string }): Scored {
    const started = performance.now();
    const variant = opts.variant ?? this.pick(served, opts.stickyKey);
    const { errors, unknown, coerced } = validateInstances(rows, variant.inputs, served.unknownFields);
    if (errors.length) {
      // A request this variant's schema refuses counts against it (a challenger that needs a
      // field callers do not send fails them); the caller still gets a 4xx naming the field.
      variant.stats.failed();
      variant.window?.request(performance.now() - started, false);
      throw new InvalidError(
        `invalid input: ${errors
          .slice(0, 5)
          .map((e) => `${opts.where ? opts.where(e.instance, e.field) : (opts.batch ? `instances[${e.instance}].` : "") + e.field} ${e.message}`)
          .join("; ")}`,
        { details: errors.slice(0, 100) },
      );
    }
    const valid = rows as Record<string, unknown>[];
    const model = variant.model;
    // A row the model cannot score is the caller's problem (MissingFeatureError is an InvalidError).
    let scored: { predictions: Label[]; probabilities?: Record<string, number>[] };
    // Monitored endpoints count each feature and prediction on the model's reference bins.
    const observe = served.monitored ? variant.window?.observe : undefined;
    let unseen: string[] = [];
    try {
      model.takeUnseen?.(); // what an earlier request left (one that failed midway)
      scored = model.predictProba ? model.predictProba(valid, observe) : { predictions: model.predict(valid, observe) };
      unseen = model.takeUnseen?.() ?? [];
    } catch (e) {
      variant.stats.failed();
      variant.window?.request(performance.now() - started, false);
      throw e;
    }
    const { predictions, probabilities } = scored;
    // Time-ordered (UUIDv7): feedback finds its prediction in the log by the time the id carries.
    const requestId = newRequestId();
    const seconds = (performance.now() - started) / 1000;
    variant.stats.ok(seconds * 1000);
    variant.window?.request(seconds * 1000, true);
    const m = metrics();
    const version = String(variant.version);
    variant.meters ??= {
      latency: m.variantLatency.labels({ endpoint: served.slug, model_version: version, role: "live" }),
      ok: m.variantRequests.labels({ endpoint: served.slug, model_version: version, role: "live", outcome: "ok" }),
      byClass: new Map(),
    };
    variant.meters.latency.observe(seconds);
    variant.meters.ok.inc();
    if (served.monitored) {
      const meters = variant.meters;
      for (const p of predictions) {
        if (served.task === "classification") {
          const cls = String(p);
          let counter = meters.byClass.get(cls);
          if (!counter) meters.byClass.set(cls, (counter = m.predictions.labels({ endpoint: served.slug, model_version: version, class: cls })));
          counter.inc();
        } else (meters.value ??= m.predictedValue.labels({ endpoint: served.slug, model_version: version })).observe(Number(p));
      }
    }
    const logged = served.logSample >= 1 || (served.logSample > 0 && Math.random() < served.logSample);
    if (logged) this.record(served, variant, requestId, valid, predictions, seconds * 1000, false, coerced ? undefined : opts.text);
    if (served.shadows.length) setImmediate(() => this.mirror(served, valid, requestId, logged));
    return { predictions, probabilities, variant, requestId, ignored: unknown, unseen };
  }

  private pick(served: Served, stickyKey: string | undefined): Variant {
    if (served.live.length === 1) return served.live[0]!;
    const u = stickyKey ? unitHash(`${served.slug}\u0000${stickyKey}`) : Math.random();
    const i = served.cumulative.findIndex((c) => u < c);
    return served.live[i < 0 ? served.live.length - 1 : i]!;
  }

  /** Shadows score copies after the response went out; their failures touch no caller. */
  private mirror(served: Served, rows: Record<string, unknown>[], requestId: string, logged: boolean) {
    for (const shadow of served.shadows) {
      const version = String(shadow.version);
      const started = performance.now();
      try {
        const copies = rows.map((r) => ({ ...r }));
        const { errors } = validateInstances(copies, shadow.inputs, "ignore");
        if (errors.length) throw new InvalidError(errors[0]!.message);
        const predictions = shadow.model.predict(copies, served.monitored ? shadow.window?.observe : undefined);
        const ms = performance.now() - started;
        shadow.window?.request(ms, true);
        metrics().variantLatency.observe({ endpoint: served.slug, model_version: version, role: "shadow" }, ms / 1000);
        metrics().variantRequests.inc({ endpoint: served.slug, model_version: version, role: "shadow", outcome: "ok" });
        if (logged) this.record(served, shadow, requestId, rows, predictions, ms, true);
      } catch {
        shadow.window?.request(performance.now() - started, false);
        metrics().variantRequests.inc({ endpoint: served.slug, model_version: version, role: "shadow", outcome: "error" });
      }
    }
  }

  private record(served: Served, variant: Variant, requestId: string, rows: Record<string, unknown>[], predictions: Label[], ms: number, shadow: boolean, text?: string) {
    variant.logIds ??= logIds(served.endpointId, variant.modelVersionId);
    this.log.append(variant.logIds, requestId, rows, predictions, ms, shadow, Date.now(), text);
  }
}
