"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc";
import { usePopover } from "./popover";

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
export function Schedules({ pipelineId, canRun, datasetNames, datasetParameters }: { pipelineId: string; canRun: boolean; datasetNames: string[]; datasetParameters: string[] }) {
  const trpc = useTRPC();
  const { open, setOpen, ref } = usePopover<HTMLDivElement>();
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
    <div className="relative" ref={ref}>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="whitespace-nowrap rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
        Schedules &amp; triggers
      </button>
      {open && (
        <div role="dialog" aria-label="Schedules and triggers" className="absolute right-0 z-30 mt-1 w-[30rem] space-y-3 rounded border border-slate-200 bg-white p-3 text-sm shadow-lg">
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
          <Triggers pipelineId={pipelineId} canRun={canRun} datasetNames={datasetNames} datasetParameters={datasetParameters} />
        </div>
      )}
    </div>
  );
}

/**
 * Dataset triggers: a new version of a named dataset (an upload under that name) starts a run of the
 * latest saved version, the new dataset passed to a dataset parameter when one is chosen.
 */
function Triggers({ pipelineId, canRun, datasetNames, datasetParameters }: { pipelineId: string; canRun: boolean; datasetNames: string[]; datasetParameters: string[] }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.schedule.triggers.queryOptions({ pipelineId }));
  const refresh = { onSuccess: () => void list.refetch() };
  const create = useMutation(trpc.schedule.createTrigger.mutationOptions(refresh));
  const pause = useMutation(trpc.schedule.pauseTrigger.mutationOptions(refresh));
  const remove = useMutation(trpc.schedule.removeTrigger.mutationOptions(refresh));
  const [name, setName] = useState("");
  const [parameter, setParameter] = useState<string | null>(null);
  const chosenName = name || datasetNames[0] || "";
  const chosenParameter = parameter ?? datasetParameters[0] ?? "";
  const error = create.error ?? pause.error ?? remove.error ?? list.error;
  return (
    <section aria-label="Triggers" className="space-y-2 border-t border-slate-100 pt-3">
      <h3 className="text-xs font-semibold text-slate-700">When a dataset gets a new version</h3>
      {(list.data ?? []).length === 0 ? (
        <p className="text-xs text-slate-500">{list.isLoading ? "Loading…" : "No triggers."}</p>
      ) : (
        <ul className="space-y-2" data-testid="triggers">
          {list.data!.map((t) => (
            <li key={t.id} className="rounded border border-slate-200 p-2 text-xs">
              <div className="flex items-center gap-2">
                <span>
                  new version of <span className="font-medium">{t.datasetName}</span> → <span className="font-mono">{t.parameter}</span>
                </span>
                {t.paused && <span className="rounded bg-amber-100 px-1 text-amber-800">paused</span>}
                {canRun && (
                  <span className="ml-auto flex gap-2">
                    <button type="button" className="text-sky-700 hover:underline" onClick={() => pause.mutate({ pipelineId, triggerId: t.id, paused: !t.paused })}>
                      {t.paused ? "Resume" : "Pause"}
                    </button>
                    <button type="button" className="text-red-600 hover:underline" onClick={() => window.confirm(`Delete the trigger on ${t.datasetName}?`) && remove.mutate({ pipelineId, triggerId: t.id })}>
                      Delete
                    </button>
                  </span>
                )}
              </div>
              <div className="text-slate-500">
                {t.lastFiredAt ? (
                  <>
                    Last fired {when(t.lastFiredAt)}
                    {t.lastRunId && (
                      <>
                        {" "}
                        ·{" "}
                        <a className="text-sky-700 hover:underline" href={`/runs/${t.lastRunId}`}>
                          run {t.lastRunId.slice(0, 8)}
                        </a>{" "}
                        {t.lastRunStatus}
                      </>
                    )}
                  </>
                ) : (
                  "Not fired yet: waiting for a new version."
                )}
              </div>
              {t.lastError && <div className="text-red-700">Did not start: {t.lastError}</div>}
            </li>
          ))}
        </ul>
      )}
      {canRun && (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosenParameter) create.mutate({ pipelineId, datasetName: chosenName, parameter: chosenParameter });
          }}
        >
          <select aria-label="Dataset name" className="max-w-44 rounded border border-slate-300 px-2 py-1 text-xs" value={chosenName} onChange={(e) => setName(e.target.value)}>
            {datasetNames.length === 0 && <option value="">no datasets yet</option>}
            {datasetNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <select aria-label="Pass it as" className="rounded border border-slate-300 px-2 py-1 text-xs" value={chosenParameter} onChange={(e) => setParameter(e.target.value)}>
            {datasetParameters.length === 0 && <option value="">no dataset parameter</option>}
            {datasetParameters.map((n) => (
              <option key={n} value={n}>
                as parameter {n}
              </option>
            ))}
          </select>
          <button type="submit" disabled={create.isPending || !chosenName || !chosenParameter} className="rounded bg-sky-600 px-3 py-1 text-xs text-white hover:bg-sky-700 disabled:opacity-60">
            Add trigger
          </button>
        </form>
      )}
      {canRun && datasetParameters.length === 0 && (
        <p className="text-[11px] text-amber-700" data-testid="trigger-needs-parameter">
          A trigger hands the new version to a dataset parameter: declare one (Parameters), choose it for the ingest node&apos;s dataset (use parameter…), and save.
        </p>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error.message}
        </p>
      )}
    </section>
  );
}
