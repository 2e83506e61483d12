/**
 * An alarm's webhook, delivered durably: the POST is an activity Temporal retries with backoff
 * (about 8 minutes in all), surviving worker and server restarts; when every attempt failed that
 * is recorded on the alarm. No I/O, clocks or randomness here.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from "@temporalio/workflow";
import type { WebhookActivities, WebhookInput } from "./shared";

const { postWebhook } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 8, initialInterval: "2 seconds", backoffCoefficient: 2, maximumInterval: "2 minutes", nonRetryableErrorTypes: ["UserError"] },
});
const { webhookGaveUp } = proxyActivities<WebhookActivities>({ startToCloseTimeout: "30 seconds", retry: { maximumAttempts: 20 } });

export async function deliverWebhook(input: WebhookInput): Promise<{ delivered: boolean }> {
  try {
    await postWebhook(input);
    return { delivered: true };
  } catch (e) {
    const cause = e instanceof ActivityFailure && e.cause instanceof ApplicationFailure ? e.cause.message : e instanceof Error ? e.message : String(e);
    await webhookGaveUp({ ...input, error: cause });
    return { delivered: false };
  }
}
