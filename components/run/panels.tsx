"use client";

import type { Panel } from "~/workflows/nodes/define";

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

/** The generic viewers a node's `present()` picks from: metrics, bars, a table, a matrix, curves, a scatter plot. */
export function PanelView({ panel, testId }: { panel: Panel; testId?: string }) {
  if (panel.kind === "metrics") {
    return (
      <section data-testid={testId}>
        {panel.title && <h3 className="mb-1 text-[11px] font-medium text-slate-500">{panel.title}</h3>}
        <dl className="grid grid-cols-3 gap-2">
          {Object.entries(panel.values).map(([k, v]) => (
            <div key={k} className="rounded border border-slate-200 bg-white p-2">
              <dt className="truncate text-[11px] text-slate-500" title={k}>
                {k}
              </dt>
              <dd className="font-mono text-sm">{formatNumber(v)}</dd>
            </div>
          ))}
        </dl>
      </section>
    );
  }
  if (panel.kind === "table") return <TableView panel={panel} testId={testId} />;
  if (panel.kind === "matrix") return <MatrixView panel={panel} testId={testId} />;
  if (panel.kind === "curves" || panel.kind === "scatter") return <ChartView panel={panel} testId={testId} />;
  const max = Math.max(...panel.items.map((i) => i.value), 0) || 1;
  return (
    <section data-testid={testId}>
      <h3 className="mb-1 text-[11px] font-medium text-slate-500">{panel.title}</h3>
      <div className="space-y-1 rounded border border-slate-200 bg-white p-2">
        {panel.items.map((item) => (
          <div key={item.label} className="flex items-center gap-2 text-xs">
            <span className="w-28 truncate font-mono" title={item.label}>
              {item.label}
            </span>
            <div className="h-2 flex-1 rounded bg-slate-100">
              <div className="h-2 rounded bg-rose-400" style={{ width: `${Math.round((item.value / max) * 100)}%` }} />
            </div>
            <span className="w-12 text-right text-slate-500">{panel.format === "percent" ? `${(item.value * 100).toFixed(0)}%` : formatNumber(item.value)}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

/** The headline values of a node's panels, for its card: `accuracy 0.912 · f1_macro 0.905`. */
export function headlineOf(panels: Panel[]): string {
  return panels
    .flatMap((p) => (p.kind === "metrics" ? p.headline.filter((k) => k in p.values).map((k) => `${k} ${Number.isInteger(p.values[k]) ? p.values[k] : p.values[k]!.toFixed(3)}`) : []))
    .join(" · ");
}

type PanelOf<K extends Panel["kind"]> = Extract<Panel, { kind: K }>;

function Titled({ title, testId, children }: { title: string; testId?: string; children: React.ReactNode }) {
  return (
    <section data-testid={testId}>
      <h3 className="mb-1 text-[11px] font-medium text-slate-500">{title}</h3>
      <div className="overflow-x-auto rounded border border-slate-200 bg-white p-2">{children}</div>
    </section>
  );
}

function TableView({ panel, testId }: { panel: PanelOf<"table">; testId?: string }) {
  return (
    <Titled title={panel.title} testId={testId}>
      <table className="w-full text-xs">
        <thead>
          <tr>
            {panel.columns.map((c, i) => (
              <th key={c} className={`px-2 py-0.5 font-medium text-slate-500 ${i ? "text-right" : "text-left"}`}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {panel.rows.map((row, r) => (
            <tr key={r} className="border-t border-slate-100">
              {row.map((v, i) => (
                <td key={i} className={`px-2 py-0.5 ${i ? "text-right font-mono" : "font-mono"}`}>
                  {typeof v === "number" ? formatNumber(v) : v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Titled>
  );
}

function MatrixView({ panel, testId }: { panel: PanelOf<"matrix">; testId?: string }) {
  const max = Math.max(1, ...panel.counts.flat());
  return (
    <Titled title={panel.title} testId={testId}>
      <table className="text-xs">
        <thead>
          <tr>
            <th />
            {panel.labels.map((l) => (
              <th key={l} className="max-w-16 truncate px-1 font-mono font-normal text-slate-500" title={l}>
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {panel.counts.map((row, r) => (
            <tr key={r}>
              <th className="max-w-24 truncate pr-2 text-right font-mono font-normal text-slate-500" title={panel.labels[r]}>
                {panel.labels[r]}
              </th>
              {row.map((v, c) => (
                <td
                  key={c}
                  className={`h-7 min-w-9 px-1 text-center font-mono ${v / max > 0.55 ? "text-white" : ""}`}
                  style={{ background: `rgba(${r === c ? "14,116,144" : "225,29,72"},${(0.08 + 0.92 * (v / max)).toFixed(3)})` }}
                >
                  {v}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Titled>
  );
}

const COLOURS = ["#0e7490", "#e11d48", "#65a30d", "#7c3aed", "#d97706", "#0369a1", "#be185d", "#15803d", "#6d28d9", "#b45309"];

function ChartView({ panel, testId }: { panel: PanelOf<"curves"> | PanelOf<"scatter">; testId?: string }) {
  const W = 260;
  const H = 180;
  const pad = { l: 36, r: 8, t: 6, b: 26 };
  const series = panel.kind === "curves" ? panel.curves : [{ label: "", x: panel.x, y: panel.y }];
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y);
  const unit = panel.kind === "curves";
  const [x0, x1] = unit ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = unit ? [0, 1] : [Math.min(...ys, 0), Math.max(...ys, 0)];
  const sx = (v: number) => pad.l + ((v - x0) / (x1 - x0 || 1)) * (W - pad.l - pad.r);
  const sy = (v: number) => H - pad.b - ((v - y0) / (y1 - y0 || 1)) * (H - pad.t - pad.b);
  const tick = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  return (
    <Titled title={panel.title} testId={testId}>
      {/* Frame and guides follow the theme's palette; the series' fixed colours are lifted on dark. */}
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full max-w-sm dark:[&_circle]:brightness-150 dark:[&_polyline]:brightness-150" role="img" aria-label={panel.title}>
        <rect x={pad.l} y={pad.t} width={W - pad.l - pad.r} height={H - pad.t - pad.b} fill="none" className="stroke-slate-200" />
        {panel.kind === "curves" && panel.diagonal && <line x1={sx(0)} y1={sy(0)} x2={sx(1)} y2={sy(1)} className="stroke-slate-300" strokeDasharray="3 3" />}
        {panel.kind === "scatter" && y0 < 0 && y1 > 0 && <line x1={pad.l} x2={W - pad.r} y1={sy(0)} y2={sy(0)} className="stroke-slate-300" strokeDasharray="3 3" />}
        {panel.kind === "curves"
          ? series.map((s, i) => (
              <polyline key={s.label} fill="none" stroke={COLOURS[i % COLOURS.length]} strokeWidth={1.5} points={s.x.map((x, k) => `${sx(x).toFixed(1)},${sy(s.y[k]!).toFixed(1)}`).join(" ")} />
            ))
          : panel.x.map((x, k) => <circle key={k} cx={sx(x)} cy={sy(panel.y[k]!)} r={1.6} fill="#0e7490" fillOpacity={0.5} />)}
        <text x={pad.l} y={H - 4} fontSize={9} fill="#64748b">
          {tick(x0)}
        </text>
        <text x={W - pad.r} y={H - 4} fontSize={9} fill="#64748b" textAnchor="end">
          {tick(x1)}
        </text>
        <text x={(pad.l + W - pad.r) / 2} y={H - 4} fontSize={9} fill="#64748b" textAnchor="middle">
          {panel.xLabel}
        </text>
        <text x={pad.l - 3} y={sy(y1) + 8} fontSize={9} fill="#64748b" textAnchor="end">
          {tick(y1)}
        </text>
        <text x={pad.l - 3} y={sy(y0)} fontSize={9} fill="#64748b" textAnchor="end">
          {tick(y0)}
        </text>
        <text x={10} y={(pad.t + H - pad.b) / 2} fontSize={9} fill="#64748b" textAnchor="middle" transform={`rotate(-90 10 ${(pad.t + H - pad.b) / 2})`}>
          {panel.yLabel}
        </text>
      </svg>
      {panel.kind === "curves" && series.length > 1 && (
        <div className="mt-1 flex flex-wrap gap-2 text-[11px]">
          {series.map((s, i) => (
            <span key={s.label} className="flex items-center gap-1 font-mono">
              <span className="inline-block h-2 w-2 rounded-full" style={{ background: COLOURS[i % COLOURS.length] }} />
              {s.label}
            </span>
          ))}
        </div>
      )}
    </Titled>
  );
}
