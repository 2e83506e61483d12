/**
 * Alarm webhooks, from the worker: the alarm as JSON, POSTed to the URL its monitor node names,
 * signed with the HMAC-SHA256 of a workspace secret — `Millrace-Signature: t=<unix seconds>,v1=<hex
 * of HMAC(secret, "<t>.<body>")>` — so the receiver can check it came from Millrace and is fresh.
 * A non-2xx answer or a network error throws, and Temporal retries the activity. The host must be
 * public unless PRIVATE_SOURCE_HOSTS allows it (a webhook must not become a way into the network).
 */
import { createHmac } from "node:crypto";
import { Context } from "@temporalio/activity";
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, monitorAlarms, retrainings } from "~/db/schema";
import { UserError } from "~/lib/errors";
import http from "node:http";
import https from "node:https";
import { checkedAddresses, checkedLookupFor } from "~/workflows/data/network";
import { readSecret } from "~/workflows/secrets";
import type { WebhookActivities, WebhookInput } from "~/workflows/temporal/shared";

/** The signature header's value for a body sent at `t` (unix seconds). */
const signature = (secret: string, t: number, body: string) => `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;

async function alarmOf(db: Db, alarmId: string) {
  const [row] = await db
    .select({ alarm: monitorAlarms, slug: endpoints.slug, monitor: endpoints.monitor, model: modelVersions.name, version: modelVersions.version })
    .from(monitorAlarms)
    .innerJoin(endpoints, eq(endpoints.id, monitorAlarms.endpointId))
    .leftJoin(modelVersions, eq(modelVersions.id, monitorAlarms.modelVersionId))
    .where(eq(monitorAlarms.id, alarmId));
  return row;
}

/** POSTs the body; the connection goes only to addresses the private-network check passed (redirects are not followed). */
function post(url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, lookup, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("the webhook did not answer within 10 s")));
    req.on("error", reject);
    req.end(body);
  });
}
const lookup = checkedLookupFor("webhook");

/** The body of a retraining's outcome: what was promoted or kept, and every decision with its evidence. */
async function retrainingBody(db: Db, retrainingId: string, event: string) {
  const [r] = await db
    .select({ r: retrainings, slug: endpoints.slug, monitor: endpoints.monitor })
    .from(retrainings)
    .innerJoin(endpoints, eq(endpoints.id, retrainings.endpointId))
    .where(eq(retrainings.id, retrainingId));
  if (!r) return null;
  const ids = [r.r.championVersionId, r.r.challengerVersionId].filter((x): x is string => !!x);
  const versions = ids.length ? await db.select({ id: modelVersions.id, name: modelVersions.name, version: modelVersions.version }).from(modelVersions).where(inArray(modelVersions.id, ids)) : [];
  const named = (id: string | null) => versions.find((v) => v.id === id) ?? null;
  return {
    workspaceId: r.r.workspaceId,
    monitor: r.monitor,
    body: JSON.stringify({
      event: `model.${event}`,
      endpoint: r.slug,
      retraining: { id: r.r.id, status: r.r.status, runId: r.r.runId, champion: named(r.r.championVersionId), challenger: named(r.r.challengerVersionId), decisions: r.r.decisions },
    }),
  };
}

/** The body of an alarm opened or resolved. */
async function alarmBody(db: Db, alarmId: string, event: string) {
  const row = await alarmOf(db, alarmId);
  if (!row) return null;
  const a = row.alarm;
  return {
    workspaceId: a.workspaceId,
    monitor: row.monitor,
    body: JSON.stringify({
      event: `drift.alarm.${event}`,
      endpoint: row.slug,
      model: row.model ? { name: row.model, version: row.version } : null,
      alarm: { id: a.id, subject: a.subject, psi: a.psi, js: a.js, openedAt: a.openedAt, resolvedAt: a.resolvedAt, ...a.evidence },
    }),
  };
}

export function createWebhookActivities({ db }: { db: Db }): WebhookActivities {
  return {
    async postWebhook(input: WebhookInput) {
      const isAlarm = "alarmId" in input;
      const id = isAlarm ? input.alarmId : input.retrainingId;
      const made = isAlarm ? await alarmBody(db, input.alarmId, input.event) : await retrainingBody(db, input.retrainingId, input.event);
      const url = made?.monitor?.webhookUrl;
      if (!made || !url) return null;
      const event = isAlarm ? `drift.alarm.${input.event}` : `model.${input.event}`;
      const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Millrace-Webhook/1", "millrace-event": event, "millrace-delivery": `${id}-${input.event}` };
      if (made.monitor?.webhookSecret) headers["millrace-signature"] = signature(await readSecret(db, made.workspaceId, made.monitor.webhookSecret), Math.floor(Date.now() / 1000), made.body);
      const target = new URL(url);
      if (target.protocol !== "http:" && target.protocol !== "https:") throw new UserError(`webhook URL ${url} is not http(s)`);
      await checkedAddresses(target.hostname.replace(/^\[|\]$/g, ""), "webhook");
      const attempt = Context.current().info.attempt;
      const status = await post(target, made.body, headers);
      if (status < 200 || status >= 300) throw new Error(`the webhook answered ${status}`);
      if (isAlarm) await db.update(monitorAlarms).set({ webhook: { status: "sent", attempts: attempt, at: new Date().toISOString() } }).where(eq(monitorAlarms.id, id));
      return { status };
    },
    async webhookGaveUp(input) {
      if ("alarmId" in input) {
        await db.update(monitorAlarms).set({ webhook: { status: "failed", error: input.error.slice(0, 500), at: new Date().toISOString() } }).where(eq(monitorAlarms.id, input.alarmId));
      } else {
        const decision = { at: new Date().toISOString(), step: "failed" as const, text: `the ${input.event} webhook could not be delivered: ${input.error.slice(0, 300)}` };
        await db.update(retrainings).set({ decisions: sql`${retrainings.decisions} || ${JSON.stringify([decision])}::jsonb` }).where(eq(retrainings.id, input.retrainingId));
      }
    },
  };
}
