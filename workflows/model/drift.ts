/**
 * Drift between a reference histogram and a current one on the same bins, as the usual tools
 * compute it (Evidently's PSI and Jensen–Shannon tests; scipy's `jensenshannon`):
 *
 * - PSI = Σ (cᵢ − rᵢ) · ln(cᵢ / rᵢ) over bin shares, a share of 0 counted as 0.0001;
 *   0.1 is a warning, 0.25 an alarm.
 * - Jensen–Shannon distance = √(½ KL(r‖m) + ½ KL(c‖m)), m = ½(r + c), natural log; 0.1 is drift.
 *
 * Checked against values computed with numpy and scipy (drift.fixtures.json) to 1e-9. Pure.
 */

import { DRIFT_DEFAULTS } from "~/lib/monitoring";

const shares = (counts: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
};

/** Population stability index of `current` against `reference` (counts on the same bins). */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = shares(reference);
  const c = shares(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = r[i] || 0.0001;
    const ci = c[i] || 0.0001;
    sum += (ci - ri) * Math.log(ci / ri);
  }
  return sum;
}

/** Jensen–Shannon distance (natural log, so between 0 and √ln 2) of two histograms on the same bins. */
export function jensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = shares(reference);
  const c = shares(current);
  let kl = 0;
  for (let i = 0; i < r.length; i++) {
    const m = (r[i]! + c[i]!) / 2;
    if (r[i]! > 0) kl += r[i]! * Math.log(r[i]! / m);
    if (c[i]! > 0) kl += c[i]! * Math.log(c[i]! / m);
  }
  return Math.sqrt(Math.max(0, kl / 2));
}

export type DriftLevel = "ok" | "warn" | "alarm";

/** How a feature's drift reads against thresholds: an alarm when PSI or JS passes its alarm bound. */
export function driftLevel(v: { psi: number; js: number }, t: { psiWarn: number; psiAlarm: number; jsAlarm: number } = DRIFT_DEFAULTS): DriftLevel {
  if (v.psi >= t.psiAlarm || v.js >= t.jsAlarm) return "alarm";
  if (v.psi >= t.psiWarn) return "warn";
  return "ok";
}
