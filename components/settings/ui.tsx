"use client";

import type { ReactNode } from "react";

export const inputClass = "rounded border border-slate-300 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none";
export const buttonClass = "rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60";
export const linkButtonClass = "rounded px-2 py-0.5 text-xs text-red-600 hover:bg-red-50";

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="mb-8">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The one place a new token or invitation link is shown: once, with a copy button. */
export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <div role="status" className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="mb-1 font-medium text-amber-900">{label}</p>
      <div className="flex items-center gap-2">
        <code data-testid="shown-once" className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs">
          {value}
        </code>
        <button type="button" className="rounded border border-slate-300 bg-white px-2 py-1 text-xs" onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
        <button type="button" className="rounded px-2 py-1 text-xs text-slate-500 hover:bg-amber-100" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function ErrorText({ error }: { error: { message: string } | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="mt-2 rounded bg-red-50 px-2 py-1 text-xs text-red-700">
      {error.message}
    </p>
  );
}

export const when = (d: Date | string | null | undefined) => (d ? new Date(d).toLocaleString() : "–");
