"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Area, Bar, BarChart, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "../trpc";
import { tableClass } from "../ui/page";

const RANGES: [string, number][] = [
  ["1 hour", 1],
  ["6 hours", 6],
  ["24 hours", 24],
  ["7 days", 24 * 7],
];
const levelStyle: Record<string, string> = { ok: "bg-emerald-100 text-emerald-800", warn: "bg-amber-100 text-amber-800", alarm: "bg-red-100 text-red-800" };
const time = (d: Date | string) => new Date(d).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
/** Four decimals below 10, so a value just under a bound (0.0996) does not read as the bound (0.100). */
const fmt = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(4));

/**
 * An endpoint's monitoring over a time range: requests and failures per minute, latency
 * percentiles, drift per feature and for predictions (current histogram against training), and
 * the drift alarms. Refreshes every 15 seconds.
 */
export function Monitoring({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const [hours, setHours] = useState(6);
  // The range moves with the clock: recomputed on each refresh, rounded to the minute for caching.
  const [now, setNow] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const range = useMemo(() => ({ from: new Date(now - hours * 3600_000).toISOString(), to: new Date(now + 60_000).toISOString() }), [now, hours]);
  const data = useQuery({ ...trpc.endpoint.monitoring.queryOptions({ slug, ...range }), refetchInterval: 15_000 });
  const [chosen, setChosen] = useState<string | null>(null);
  const [feature, setFeature] = useState<string | null>(null);

  if (data.isError) return <p className="text-sm text-red-700">{data.error.message}</p>;
  if (!data.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const d = data.data;
  const series =
    d.series.find((s) => `${s.modelVersionId}:${s.role}` === chosen) ??
    d.series.find((s) => s.role === "live" && s.modelVersionId === d.currentVersionId) ??
    d.series.find((s) => s.role === "live") ??
    d.series[0];
  const drift = series?.drift;
  const shown = drift?.enough ? ([...drift.features, ...(drift.prediction ? [drift.prediction] : [])].find((f) => f.name === feature) ?? drift.features[0]) : undefined;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-2">
          Range
          <select aria-label="Time range" className="rounded border border-slate-300 px-2 py-1" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {RANGES.map(([label, h]) => (
              <option key={h} value={h}>
                last {label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" onClick={() => setNow(Math.ceil(Date.now() / 60_000) * 60_000)}>
          Now
        </button>
        {d.series.length > 1 && (
          <label className="flex items-center gap-2">
            Model
            <select aria-label="Model version" className="rounded border border-slate-300 px-2 py-1" value={series ? `${series.modelVersionId}:${series.role}` : ""} onChange={(e) => setChosen(e.target.value)}>
              {d.series.map((s) => (
                <option key={`${s.modelVersionId}:${s.role}`} value={`${s.modelVersionId}:${s.role}`}>
                  {s.model} ({s.role})
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="text-xs text-slate-500">
          {d.monitored
            ? `drift over ${d.settings.windowRequests > 0 ? `${d.settings.windowRequests} rows` : `${d.settings.windowMinutes} min`}: PSI warns at ${d.settings.psiWarn}, alarms at ${d.settings.psiAlarm}; Jensen–Shannon alarms at ${d.settings.jsAlarm}; judged from ${d.settings.minRows} rows`
            : "not monitored: add a Monitor node after this endpoint's deploy to count features and judge drift"}
        </span>
      </div>

      {d.series.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="monitoring-empty">
          No requests in this range.
        </p>
      ) : (
        <>
          <section aria-label="Variants">
            <h2 className="mb-1 text-sm font-semibold">Per model version</h2>
            <table className={tableClass} data-testid="monitoring-variants">
              <thead>
                <tr>
                  <th>model</th>
                  <th>role</th>
                  <th>requests</th>
                  <th>failed</th>
                  <th>rows</th>
                  <th>p50 ms</th>
                  <th>p99 ms</th>
                  <th>worst drift</th>
                </tr>
              </thead>
              <tbody>
                {d.series.map((s) => {
                  const worst = s.drift?.enough ? s.drift.features[0] : undefined;
                  return (
                    <tr key={`${s.modelVersionId}:${s.role}`}>
                      <td>{s.model}</td>
                      <td>{s.role}</td>
                      <td>{s.totals.requests.toLocaleString("en")}</td>
                      <td>{s.totals.failed.toLocaleString("en")}</td>
                      {/* Rows and features are counted only on a monitored endpoint. */}
                      <td>{d.monitored ? s.totals.rows.toLocaleString("en") : "–"}</td>
                      <td>{s.totals.p50 ?? "–"}</td>
                      <td>{s.totals.p99 ?? "–"}</td>
                      <td>{!d.monitored ? "not monitored" : worst ? `${worst.name}: PSI ${fmt(worst.psi)}` : s.drift ? `under ${d.settings.minRows} rows` : "no profile"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>

          {series && (
            <section aria-label="Traffic" className="grid gap-4 lg:grid-cols-2">
              <div>
                <h2 className="mb-1 text-sm font-semibold">Requests and failures per minute</h2>
                <div className="h-56">
                  <ResponsiveContainer>
                    <LineChart data={series.points.map((p) => ({ ...p, t: time(p.minute) }))}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                      <XAxis dataKey="t" fontSize={11} />
                      <YAxis fontSize={11} allowDecimals={false} />
                      <Tooltip />
                      <Legend />
                      <Line type="monotone" dataKey="requests" stroke="#0284c7" dot={false} isAnimationActive={false} />
                      <Line type="monotone" dataKey="failed" stroke="#dc2626" dot={false} isAnimationActive={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </div>
              </div>
              <div>
                <h2 className="mb-1 text-sm font-semibold">Latency (ms, scoring)</h2>
                <div className="h-56">
                  <ResponsiveContainer>
                    <LineChart data={series.points.map((p) => ({ ...p, t: time(p.minute) }))}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                      <XAxis dataKey="t" fontSize={11} />
                      <YAxis fontSize={11} />
                      <Tooltip />
                      <Legend />
                      <Line type="monotone" dataKey="p50" stroke="#16a34a" dot={false} isAnimationActive={false} />
                      <Line type="monotone" dataKey="p95" stroke="#d97706" dot={false} isAnimationActive={false} />
                      <Line type="monotone" dataKey="p99" stroke="#dc2626" dot={false} isAnimationActive={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </div>
              </div>
            </section>
          )}

          <section aria-label="Live accuracy">
            <h2 className="mb-1 text-sm font-semibold">{d.task === "classification" ? "Accuracy from feedback, with its 95% interval" : "RMSE from feedback"}</h2>
            {d.accuracy.length === 0 ? (
              <p className="text-sm text-slate-500">No feedback in this range: send labels to …/feedback with each prediction&apos;s requestId.</p>
            ) : (
              <div className="h-56" data-testid="accuracy-chart">
                <ResponsiveContainer>
                  <ComposedChart data={accuracyRows(d.accuracy)}>
                    <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                    <XAxis dataKey="t" fontSize={11} />
                    <YAxis fontSize={11} domain={d.task === "classification" ? [0, 1] : ["auto", "auto"]} />
                    <Tooltip />
                    <Legend />
                    {[...new Set(d.accuracy.map((a) => `${a.model} (${a.role})`))].map((key, i) => [
                      d.task === "classification" ? <Area key={`${key}-band`} dataKey={`${key} 95%`} stroke="none" fill={COLORS[i % COLORS.length]} fillOpacity={0.15} isAnimationActive={false} legendType="none" /> : null,
                      <Line key={key} dataKey={key} stroke={COLORS[i % COLORS.length]} dot isAnimationActive={false} connectNulls />,
                    ])}
                  </ComposedChart>
                </ResponsiveContainer>
              </div>
            )}
          </section>

          <section aria-label="Drift">
            <h2 className="mb-1 text-sm font-semibold">Drift against the training data{series ? ` — ${series.model}` : ""}</h2>
            {!d.monitored ? (
              <p className="text-sm text-slate-500">Not monitored: add a Monitor node after this endpoint&apos;s deploy to count its features and judge drift.</p>
            ) : !drift ? (
              <p className="text-sm text-slate-500">This model was trained before Millrace kept reference profiles: retrain it to see drift.</p>
            ) : !drift.enough ? (
              <p className="text-sm text-slate-500">
                {drift.rows.toLocaleString("en")} rows in this range: drift is judged from {d.settings.minRows}.
              </p>
            ) : (
              <div className="grid gap-4 lg:grid-cols-[minmax(0,22rem)_1fr]">
                <table className={tableClass} data-testid="drift-table">
                  <thead>
                    <tr>
                      <th>feature</th>
                      <th>PSI</th>
                      <th>JS</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {[...drift.features, ...(drift.prediction ? [drift.prediction] : [])].map((f) => (
                      <tr key={f.name} className={`cursor-pointer ${shown?.name === f.name ? "bg-sky-50" : "hover:bg-slate-50"}`} onClick={() => setFeature(f.name)} data-level={f.level}>
                        <td className="font-mono text-xs">{f.name === "prediction" ? <em>predictions</em> : f.name}</td>
                        <td className="font-mono text-xs">{fmt(f.psi)}</td>
                        <td className="font-mono text-xs">{fmt(f.js)}</td>
                        <td>
                          <span className={`rounded px-1.5 py-0.5 text-[11px] ${levelStyle[f.level]}`}>{f.level}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {shown && (
                  <div>
                    <h3 className="text-xs font-semibold text-slate-700">
                      {shown.name === "prediction" ? "Predictions" : shown.name}: share of rows per bin, training against this range
                    </h3>
                    <div className="h-64" data-testid="drift-histogram">
                      <ResponsiveContainer>
                        <BarChart data={shares(shown)}>
                          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                          <XAxis dataKey="bin" fontSize={10} interval={0} angle={-20} textAnchor="end" height={50} />
                          <YAxis fontSize={11} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
                          <Tooltip formatter={(v) => `${(Number(v) * 100).toFixed(1)}%`} />
                          <Legend />
                          <Bar dataKey="training" fill="#94a3b8" isAnimationActive={false} />
                          <Bar dataKey="current" fill="#0284c7" isAnimationActive={false} />
                        </BarChart>
                      </ResponsiveContainer>
                    </div>
                  </div>
                )}
              </div>
            )}
          </section>
        </>
      )}

      {d.retrainings.length > 0 && (
        <section aria-label="Retraining">
          <h2 className="mb-1 text-sm font-semibold">Retraining</h2>
          <ul className="space-y-2" data-testid="retrainings">
            {d.retrainings.map((r) => (
              <li key={r.id} className="rounded border border-slate-200 bg-white p-2 text-xs">
                <div className="mb-1 flex flex-wrap items-center gap-2">
                  <span className={`rounded px-1.5 py-0.5 ${r.status === "promoted" ? "bg-emerald-100 text-emerald-800" : r.status === "failed" ? "bg-red-100 text-red-800" : r.status === "kept" ? "bg-slate-100 text-slate-700" : "bg-sky-100 text-sky-800"}`}>{r.status}</span>
                  <span>
                    champion {r.champion ?? "–"} · challenger {r.challenger ?? "–"}
                  </span>
                  {r.runId && (
                    <a className="text-sky-700 hover:underline" href={`/runs/${r.runId}`}>
                      retraining run {r.runId.slice(0, 8)}
                    </a>
                  )}
                  <span className="text-slate-400">{new Date(r.startedAt).toLocaleString()}</span>
                </div>
                <ol className="list-decimal space-y-0.5 pl-5 text-slate-600">
                  {r.decisions.map((x, i) => (
                    <li key={i}>
                      <span className="font-medium text-slate-700">{x.step}</span> · {x.text}
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-label="Alarms">
        <h2 className="mb-1 text-sm font-semibold">Drift alarms</h2>
        {d.alarms.length === 0 ? (
          <p className="text-sm text-slate-500">None.</p>
        ) : (
          <table className={tableClass} data-testid="alarms">
            <thead>
              <tr>
                <th>opened</th>
                <th>model</th>
                <th>feature</th>
                <th>PSI</th>
                <th>JS</th>
                <th>window</th>
                <th>state</th>
                <th>webhook</th>
              </tr>
            </thead>
            <tbody>
              {d.alarms.map((a) => (
                <tr key={a.id}>
                  <td className="text-xs">{new Date(a.openedAt).toLocaleString()}</td>
                  <td className="text-xs">{a.model}</td>
                  <td className="font-mono text-xs">{a.subject}</td>
                  <td className="font-mono text-xs">{fmt(a.psi)}</td>
                  <td className="font-mono text-xs">{fmt(a.js)}</td>
                  <td className="text-xs">
                    {a.evidence.window} · {a.evidence.rows.toLocaleString("en")} rows
                  </td>
                  <td className="text-xs">{a.resolvedAt ? `resolved ${new Date(a.resolvedAt).toLocaleString()}` : <span className="rounded bg-red-100 px-1.5 py-0.5 text-red-800">open</span>}</td>
                  <td className="text-xs">{a.webhook ? (a.webhook.status === "failed" ? `failed: ${a.webhook.error ?? ""}` : a.webhook.status) : "sending…"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

const COLORS = ["#0284c7", "#16a34a", "#d97706", "#9333ea", "#dc2626"];

/** One row per time bucket: each version's accuracy (or RMSE) and its interval, keyed by "model (role)". */
function accuracyRows(points: { t: Date | string; model: string; role: string; accuracy?: number; low?: number; high?: number; rmse?: number }[]) {
  const byTime = new Map<string, Record<string, unknown>>();
  for (const p of points) {
    const t = time(p.t);
    const row = byTime.get(t) ?? { t };
    const key = `${p.model} (${p.role})`;
    row[key] = p.accuracy ?? p.rmse;
    if (p.low !== undefined && p.high !== undefined) row[`${key} 95%`] = [p.low, p.high];
    byTime.set(t, row);
  }
  return [...byTime.values()];
}

/** Each bin's share of rows in training and in the range. */
function shares(f: { labels: string[]; reference: number[]; current: number[] }) {
  const r = f.reference.reduce((a, b) => a + b, 0) || 1;
  const c = f.current.reduce((a, b) => a + b, 0) || 1;
  return f.labels.map((bin, i) => ({ bin, training: f.reference[i]! / r, current: f.current[i]! / c }));
}
