import { z } from "zod";
import { DRIFT_DEFAULTS } from "~/lib/monitoring";
import { defineNode } from "../define";

const FEATURE_BOUND = /^\s*([^=,]+?)\s*=\s*([0-9]*\.?[0-9]+)\s*$/;

/** `age=0.4, income=0.5` → {age: 0.4, income: 0.5}; undefined when a part is not `name=number`. */
export function parseFeatureAlarms(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const part of text.split(",").filter((p) => p.trim())) {
    const m = FEATURE_BOUND.exec(part);
    if (!m) return undefined;
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export const spec = defineNode({
  type: "monitor-endpoint",
  label: "Monitor",
  stage: "monitor",
  // Never reused from an earlier run: it changes an endpoint.
  cache: false,
  description:
    "Watches the endpoint: each feature and the predictions are counted on the model's training bins as requests arrive, and drift (PSI and Jensen–Shannon distance against the training data) is judged over a window; a feature past its bound opens an alarm, shown on the endpoint's monitoring page and sent to a webhook. Also exports prediction metrics on /metrics.",
  config: z.object({
    trackPredictions: z.boolean().default(true).meta({ title: "Watch drift and predictions", description: "Off: only requests and latency are counted" }),
    windowMinutes: z.number().int().min(1).max(10_080).default(60).meta({ title: "Window (minutes)", description: "Drift compares the last this many minutes with training" }),
    windowRequests: z.number().int().min(0).max(100_000_000).default(0).meta({ title: "Window (rows)", description: "When above 0: the newest rows up to this many, instead of minutes" }),
    minRows: z.number().int().min(1).max(10_000_000).default(1000).meta({ title: "Judge after (rows)", description: "No alarm on fewer rows than this in the window (with few rows, sampling noise alone moves PSI and JS)" }),
    psiWarn: z.number().min(0).max(10).default(DRIFT_DEFAULTS.psiWarn).meta({ title: "PSI warning" }),
    psiAlarm: z.number().min(0).max(10).default(DRIFT_DEFAULTS.psiAlarm).meta({ title: "PSI alarm" }),
    jsAlarm: z.number().min(0).max(1).default(DRIFT_DEFAULTS.jsAlarm).meta({ title: "Jensen–Shannon alarm", description: "Distance (natural log), 0 to 0.83" }),
    featureAlarms: z
      .string()
      .max(2000)
      .default("")
      .refine((s) => parseFeatureAlarms(s) !== undefined, "write per-feature PSI alarms as name=number, separated by commas (age=0.4, income=0.5)")
      .meta({ title: "Per-feature PSI alarms", description: "Overrides, e.g. age=0.4, income=0.5" }),
    onAlarm: z.enum(["record", "retrain"]).default("record").meta({
      title: "On an alarm",
      description: "retrain: run this pipeline again on fresh data, gate the new model against the endpoint's, shadow it, then promote it or keep the old one",
    }),
    gateMargin: z.number().min(0).max(1).default(0.01).meta({ visibleWhen: { onAlarm: ["retrain"] }, title: "Gate margin", description: "The new model must beat the served one on the same held-out rows by this much (accuracy, or RMSE lower by it)" }),
    shadowRequests: z.number().int().min(0).max(100_000_000).default(1000).meta({ visibleWhen: { onAlarm: ["retrain"] }, title: "Shadow for (requests)", description: "The new model answers no one while it shadows this many requests…" }),
    shadowMinutes: z.number().int().min(1).max(43_200).default(60).meta({ visibleWhen: { onAlarm: ["retrain"] }, title: "…or for (minutes)", description: "…or this long, whichever comes first" }),
    webhookUrl: z
      .string()
      .max(2000)
      .default("")
      .refine((s) => s === "" || /^https?:\/\/[^\s]+$/.test(s), "a webhook is an http:// or https:// URL")
      .meta({ title: "Webhook URL", description: "Receives alarms as JSON (POST), retried, signed with the secret below" }),
    webhookSecret: z.string().max(200).default("").meta({ title: "Webhook signing secret", widget: "secret", description: "A workspace secret: the Millrace-Signature header is its HMAC-SHA256 of the body" }),
  }),
  inputs: { endpoint: { type: "endpoint", label: "Endpoint" } },
  outputs: {},
  summary: (config) =>
    config.trackPredictions
      ? `drift over ${config.windowRequests > 0 ? `${config.windowRequests} rows` : `${config.windowMinutes} min`} · PSI ${config.psiAlarm}${config.onAlarm === "retrain" ? " · retrains" : ""}${config.webhookUrl ? " · webhook" : ""}`
      : "requests only",
});
