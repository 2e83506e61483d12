/**
 * Live monitoring counts, as serving processes write them per minute and the monitoring page and
 * drift read them back (shared by db, server and the UI). Pure.
 */

/** Upper bounds (ms) of the latency buckets: √2 apart from 0.1 ms to about 10 s, then the rest. */
export const LATENCY_BOUNDS = Array.from({ length: 34 }, (_, i) => Math.round(0.1 * Math.SQRT2 ** i * 1000) / 1000);

export interface WindowCounts {
  /** Requests answered and refused (4xx for the caller's input, or the model failing), and latency counts per LATENCY_BOUNDS bucket (+1 beyond). */
  requests: number;
  failed: number;
  latency: number[];
  /** Rows scored (a batch request is several). */
  rows: number;
  /** Feature name → counts on its reference bins. */
  features: Record<string, number[]>;
  prediction: number[];
}

export const emptyCounts = (): WindowCounts => ({ requests: 0, failed: 0, latency: [], rows: 0, features: {}, prediction: [] });

/** The latency (ms) under which a share `q` of the requests were answered (bucket upper bound). */
export function latencyQuantile(latency: number[], q: number): number | null {
  const total = latency.reduce((a, b) => a + b, 0);
  if (!total) return null;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    seen += latency[i]!;
    if (seen >= q * total) return LATENCY_BOUNDS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

/** Adds one window's counts into another (same bins). */
export function addCounts(into: WindowCounts, from: WindowCounts): WindowCounts {
  into.requests += from.requests;
  into.failed += from.failed;
  into.rows += from.rows;
  for (let i = 0; i < from.latency.length; i++) into.latency[i] = (into.latency[i] ?? 0) + from.latency[i]!;
  for (const [name, counts] of Object.entries(from.features)) {
    const target = (into.features[name] ??= new Array<number>(counts.length).fill(0));
    for (let i = 0; i < counts.length; i++) target[i] = (target[i] ?? 0) + counts[i]!;
  }
  if (!into.prediction.length) into.prediction = new Array<number>(from.prediction.length).fill(0);
  for (let i = 0; i < from.prediction.length; i++) into.prediction[i] = (into.prediction[i] ?? 0) + from.prediction[i]!;
  return into;
}

/** Drift thresholds in line with the usual tools: PSI 0.1 warns, 0.25 alarms; Jensen–Shannon distance 0.1 alarms. */
export const DRIFT_DEFAULTS = { psiWarn: 0.1, psiAlarm: 0.25, jsAlarm: 0.1 } as const;

/** What the monitor node set on its endpoint: thresholds, the window, and per-feature overrides. */
export interface MonitorSettings {
  windowMinutes: number;
  /** When set, the window is the newest minutes holding this many scored rows instead. */
  windowRequests: number;
  minRows: number;
  psiWarn: number;
  psiAlarm: number;
  jsAlarm: number;
  /** Feature → its own PSI alarm bound. */
  featureAlarms: Record<string, number>;
  /** On an alarm: record it only, or also retrain, gate, shadow and promote. */
  onAlarm?: "record" | "retrain";
  /** The challenger must beat the champion on the same holdout by this much (accuracy; RMSE lower by it). */
  gateMargin?: number;
  /** The shadow period: until this many shadow requests, or this many minutes, whichever comes first. */
  shadowRequests?: number;
  shadowMinutes?: number;
  /** Where alarms are POSTed, and the workspace secret whose HMAC signs them. */
  webhookUrl?: string;
  webhookSecret?: string;
}

export const defaultMonitorSettings = (): MonitorSettings => ({ windowMinutes: 60, windowRequests: 0, minRows: 1000, ...DRIFT_DEFAULTS, featureAlarms: {} });


/** An endpoint's monitor settings: what its Monitor node set, defaults for the rest. */
export const monitorSettings = (monitor: Partial<MonitorSettings> | null): MonitorSettings => ({ ...defaultMonitorSettings(), ...(monitor ?? {}) });
