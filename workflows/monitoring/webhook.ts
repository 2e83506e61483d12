/**
 * Alarm webhooks, from the worker: the alarm as JSON, POSTed to the URL its monitor node names,
 * signed with the HMAC-SHA256 of a workspace secret — `Millrace-Signature: t=<unix seconds>,v1=<hex
 * of HMAC(secret, "<t>.<body>")>` — so the receiver can check it came from Millrace and is fresh.
 * A non-2xx answer or a network error throws, and Temporal retries the activity. The host must be
 * public unless PRIVATE_SOURCE_HOSTS allows it (a webhook must not become a way into the network).
 */
import { createHmac } from "node:crypto";
import { Context } from "@temporalio/activity";
import { eq } from "drizzle-orm";
import type { Db } from "~/db/client";
import { endpoints, modelVersions, monitorAlarms } from "~/db/schema";
import { UserError } from "~/lib/errors";
import { checkedAddresses } from "~/workflows/data/network";
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

export function createWebhookActivities({ db }: { db: Db }): WebhookActivities {
  return {
    async postWebhook({ alarmId, event }: WebhookInput) {
      const row = await alarmOf(db, alarmId);
      const url = row?.monitor?.webhookUrl;
      if (!row || !url) return null;
      const a = row.alarm;
      const body = JSON.stringify({
        event: `drift.alarm.${event}`,
        endpoint: row.slug,
        model: row.model ? { name: row.model, version: row.version } : null,
        alarm: { id: a.id, subject: a.subject, psi: a.psi, js: a.js, openedAt: a.openedAt, resolvedAt: a.resolvedAt, ...a.evidence },
      });
      const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Millrace-Webhook/1", "millrace-event": `drift.alarm.${event}`, "millrace-delivery": `${a.id}-${event}` };
      if (row.monitor?.webhookSecret) headers["millrace-signature"] = signature(await readSecret(db, a.workspaceId, row.monitor.webhookSecret), Math.floor(Date.now() / 1000), body);
      const target = new URL(url);
      if (target.protocol !== "http:" && target.protocol !== "https:") throw new UserError(`webhook URL ${url} is not http(s)`);
      await checkedAddresses(target.hostname.replace(/^\[|\]$/g, ""), "webhook");
      const attempt = Context.current().info.attempt;
      const res = await fetch(target, { method: "POST", body, headers, redirect: "manual", signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) throw new Error(`the webhook answered ${res.status}`);
      await db.update(monitorAlarms).set({ webhook: { status: "sent", attempts: attempt, at: new Date().toISOString() } }).where(eq(monitorAlarms.id, alarmId));
      return { status: res.status };
    },
    async webhookGaveUp({ alarmId, error }) {
      await db.update(monitorAlarms).set({ webhook: { status: "failed", error: error.slice(0, 500), at: new Date().toISOString() } }).where(eq(monitorAlarms.id, alarmId));
    },
  };
}
