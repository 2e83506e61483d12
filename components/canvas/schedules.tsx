"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";

const when = (d: Date | string) => new Date(d).toLocaleString();
const examples: [string, string][] = [
  ["0 6 * * *", "every day at 06:00"],
  ["0 * * * *", "every hour"],
  ["0 6 * * 1", "Mondays at 06:00"],
  ["*/15 * * * *", "every 15 minutes"],
];

/**
 * A pipeline's schedules (Temporal Schedules): cron and time zone, the next run times, pause,
 * resume, run now, delete. Each scheduled run is the latest saved version.
 */
export function Schedules({ pipelineId, canRun }: { pipelineId: string; canRun: boolean }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [cron, setCron] = useState("0 6 * * *");
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const list = useQuery({ ...trpc.schedule.list.queryOptions({ pipelineId }), enabled: open });
  const refresh = { onSuccess: () => void list.refetch() };
  const create = useMutation(trpc.schedule.create.mutationOptions(refresh));
  const pause = useMutation(trpc.schedule.pause.mutationOptions(refresh));
  const resume = useMutation(trpc.schedule.resume.mutationOptions(refresh));
  const trigger = useMutation(trpc.schedule.trigger.mutationOptions(refresh));
  const remove = useMutation(trpc.schedule.remove.mutationOptions(refresh));
  const error = create.error ?? pause.error ?? resume.error ?? trigger.error ?? remove.error ?? list.error;

  return (
    <div className="relative">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
        Schedules
      </button>
      {open && (
        <div role="dialog" aria-label="Schedules" className="absolute right-0 z-30 mt-1 w-[30rem] space-y-3 rounded border border-slate-200 bg-white p-3 text-sm shadow-lg">
          <p className="text-xs text-slate-600">Each scheduled run is the pipeline&apos;s latest saved version; if the previous one is still going, that time is skipped.</p>
          {(list.data ?? []).length === 0 ? (
            <p className="text-xs text-slate-500">{list.isLoading ? "Loading…" : "No schedules."}</p>
          ) : (
            <ul className="space-y-2" data-testid="schedules">
              {list.data!.map((s) => (
                <li key={s.id} className="rounded border border-slate-200 p-2 text-xs">
                  <div className="flex items-center gap-2">
                    <span className="font-mono">{s.cron}</span>
                    <span className="text-slate-500">{s.timezone}</span>
                    {s.paused && <span className="rounded bg-amber-100 px-1 text-amber-800">paused</span>}
                    {canRun && (
                      <span className="ml-auto flex gap-2">
                        <button type="button" className="text-sky-700 hover:underline" onClick={() => trigger.mutate({ pipelineId, scheduleId: s.id })}>
                          Run now
                        </button>
                        <button type="button" className="text-sky-700 hover:underline" onClick={() => (s.paused ? resume : pause).mutate({ pipelineId, scheduleId: s.id })}>
                          {s.paused ? "Resume" : "Pause"}
                        </button>
                        <button type="button" className="text-red-600 hover:underline" onClick={() => window.confirm(`Delete the schedule ${s.cron}?`) && remove.mutate({ pipelineId, scheduleId: s.id })}>
                          Delete
                        </button>
                      </span>
                    )}
                  </div>
                  {s.note && <div className="text-slate-500">{s.note}</div>}
                  <div className="text-slate-600">
                    {s.paused ? "Paused: no runs until resumed." : `Next: ${s.nextRuns.map(when).join(" · ") || "–"}`}
                  </div>
                  {s.recent.length > 0 && <div className="text-slate-400">Last: {when(s.recent[s.recent.length - 1]!.at)}</div>}
                </li>
              ))}
            </ul>
          )}
          {canRun && (
            <form
              className="space-y-1"
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate({ pipelineId, cron, timezone });
              }}
            >
              <div className="flex items-center gap-2">
                <input aria-label="Cron" className="w-36 rounded border border-slate-300 px-2 py-1 font-mono text-xs" value={cron} onChange={(e) => setCron(e.target.value)} />
                <input aria-label="Time zone" className="w-36 rounded border border-slate-300 px-2 py-1 text-xs" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
                <button type="submit" disabled={create.isPending} className="rounded bg-sky-600 px-3 py-1 text-xs text-white hover:bg-sky-700 disabled:opacity-60">
                  Add schedule
                </button>
              </div>
              <div className="flex flex-wrap gap-2 text-[11px] text-slate-500">
                {examples.map(([c, label]) => (
                  <button key={c} type="button" className="hover:text-sky-700" onClick={() => setCron(c)}>
                    <span className="font-mono">{c}</span> {label}
                  </button>
                ))}
              </div>
            </form>
          )}
          {error && (
            <p role="alert" className="text-xs text-red-700">
              {error.message}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
