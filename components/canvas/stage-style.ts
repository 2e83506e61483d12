import type { Stage } from "~/workflows/nodes/define";

/** One accent per stage, shared by palette, node cards and the run page. */
export const stageStyle: Record<Stage, { label: string; accent: string; chip: string }> = {
  ingest: { label: "Ingest", accent: "border-l-sky-500", chip: "bg-sky-100 text-sky-800" },
  clean: { label: "Clean", accent: "border-l-teal-500", chip: "bg-teal-100 text-teal-800" },
  feature: { label: "Feature", accent: "border-l-violet-500", chip: "bg-violet-100 text-violet-800" },
  split: { label: "Split", accent: "border-l-amber-500", chip: "bg-amber-100 text-amber-800" },
  train: { label: "Train", accent: "border-l-rose-500", chip: "bg-rose-100 text-rose-800" },
  evaluate: { label: "Evaluate", accent: "border-l-emerald-500", chip: "bg-emerald-100 text-emerald-800" },
  deploy: { label: "Deploy", accent: "border-l-indigo-500", chip: "bg-indigo-100 text-indigo-800" },
  monitor: { label: "Monitor", accent: "border-l-orange-500", chip: "bg-orange-100 text-orange-800" },
};

export const statusStyle: Record<string, string> = {
  queued: "bg-slate-100 text-slate-600",
  running: "bg-sky-100 text-sky-800 animate-pulse",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  skipped: "bg-slate-100 text-slate-500",
  cancelled: "bg-amber-100 text-amber-800",
};
