"use client";

import type { Panel } from "~/workflows/nodes/define";

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

/** The generic viewers a node's `present()` picks from: a metrics table, a bar chart. */
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
