"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { workflowIdForRun } from "~/workflows/temporal/shared";
import { statusStyle } from "../canvas/stage-style";
import { useTRPC } from "../trpc";
import { DeployModel } from "./deploy-model";
import { EndpointTry } from "./endpoint-try";
import { active, formatMs, NodePanels, NodeTable, RunCanvas, span, Timeline } from "./run-parts";
import { NodeInspector } from "./node-inspector";
import { ShareLinks } from "./share-links";

export function RunView({ runId, can }: { runId: string; can: { run: boolean; edit: boolean } }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.run.byId.queryOptions({ id: runId }),
    refetchInterval: (q) => (active(q.state.data?.status) ? 1000 : false),
  });
  const cancel = useMutation(trpc.run.cancel.mutationOptions({ onSuccess: () => run.refetch() }));
  const router = useRouter();
  const resume = useMutation(trpc.run.resume.mutationOptions({ onSuccess: (r) => router.push(`/runs/${r.runId}`) }));
  const data = run.data;
  const [selected, setSelected] = useState<string | null>(null);

  if (run.isError) return <p className="p-6 text-red-700">{run.error.message}</p>;
  if (!data) return <p className="p-6 text-slate-500">Loading run…</p>;
  const total = span(data.startedAt ?? data.createdAt, data.finishedAt);

  return (
    <div className="flex h-full flex-col">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <h1 className="font-medium">
          Run of{" "}
          <Link className="text-sky-700 hover:underline" href={`/pipelines/${data.pipelineId}`}>
            {data.pipelineName}
          </Link>{" "}
          <span className="text-slate-500">v{data.pipelineVersion}</span>
        </h1>
        <span data-testid="run-status" className={`rounded px-2 py-0.5 text-xs font-medium ${statusStyle[data.status] ?? ""}`}>
          {data.status}
        </span>
        <span className="text-xs text-slate-500">{total !== null ? `took ${formatMs(total)}` : `started ${new Date(data.createdAt).toLocaleTimeString()}`}</span>
        <span className="font-mono text-[11px] text-slate-400">{data.id}</span>
        {data.resumedFrom && (
          <span className="text-xs text-slate-500">
            resumes{" "}
            <Link className="font-mono text-sky-700 hover:underline" href={`/runs/${data.resumedFrom}`}>
              {data.resumedFrom.slice(0, 8)}
            </Link>
          </span>
        )}
        {data.resumedBy.map((r) => (
          <span key={r.id} className="text-xs text-slate-500">
            resumed by{" "}
            <Link className="font-mono text-sky-700 hover:underline" href={`/runs/${r.id}`}>
              {r.id.slice(0, 8)}
            </Link>{" "}
            ({r.status})
          </span>
        ))}
        {!data.useCache && <span className="text-xs text-slate-500">cache ignored</span>}
        {data.scheduleId && <span className="text-xs text-slate-500">started by a schedule</span>}
        {data.retraining && (
          <span className="text-xs text-slate-500" data-testid="retraining-run">
            retraining run for{" "}
            <a className="text-sky-700 hover:underline" href={`/endpoints/${data.retraining.slug}/monitoring`}>
              /{data.retraining.slug}
            </a>{" "}
            (challenger {data.retraining.status}; its deploy registers the model, the loop decides)
          </span>
        )}
        {data.triggerId && <span className="text-xs text-slate-500">started by a new dataset version</span>}
        {data.parameters && Object.keys(data.parameters).length > 0 && (
          <span className="text-xs text-slate-500" data-testid="run-parameters">
            with{" "}
            {Object.entries(data.parameters).map(([k, v], i) => {
              const declared = data.declaredParameters.find((p) => p.name === k);
              const changed = declared && declared.default !== v;
              return (
                <span key={k}>
                  {i > 0 && ", "}
                  <span className={`font-mono ${changed ? "font-semibold text-slate-700" : ""}`} title={changed ? `default ${String(declared.default)}` : "the default"}>
                    {k}={declared?.type === "dataset" ? (data.datasetNames[String(v)] ?? String(v).slice(0, 8)) : String(v)}
                  </span>
                </span>
              );
            })}
          </span>
        )}
        <div className="ml-auto flex gap-2">
          {can.run && active(data.status) && (
            <button type="button" onClick={() => cancel.mutate({ id: runId })} className="rounded border border-amber-300 px-3 py-1 text-sm text-amber-800 hover:bg-amber-50">
              Cancel run
            </button>
          )}
          {can.run && (data.status === "failed" || data.status === "cancelled") && (
            <button
              type="button"
              onClick={() => resume.mutate({ id: runId })}
              disabled={resume.isPending}
              title="Run the pipeline's latest version again (fix the node or upload fixed data first); nodes that did not change are reused from this run"
              className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60"
            >
              {resume.isPending ? "Resuming…" : "Resume"}
            </button>
          )}
          {can.edit && <ShareLinks runId={runId} />}
        </div>
      </div>
      {data.error && (
        <div role="alert" data-testid="run-error" className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          {data.error}
          {data.status === "failed" && (
            <span className="ml-2 text-xs text-red-700">
              To fix and resume: change the node in the{" "}
              <Link className="underline" href={`/pipelines/${data.pipelineId}`}>
                pipeline
              </Link>{" "}
              (or upload fixed data), save, then press Resume here: what did not change is reused.
            </span>
          )}
        </div>
      )}
      {resume.error && (
        <div role="alert" className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          {resume.error.message}
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1">
          <RunCanvas graph={data.graph} nodes={data.nodes} onSelect={setSelected} />
        </div>
        <aside className="w-96 shrink-0 space-y-4 overflow-y-auto border-l border-slate-200 bg-slate-50 p-3">
          {selected ? (
            <NodeInspector key={selected} runId={runId} nodeId={selected} canRun={can.run} onSelect={setSelected} onClose={() => setSelected(null)} />
          ) : (
            <p className="text-[11px] text-slate-400">Click a node to open it: settings, inputs, output rows, statistics and downloads.</p>
          )}
          <NodePanels nodes={data.nodes} after={(n) => n.status === "succeeded" && n.models.length > 0 && <DeployModel runId={runId} nodeId={n.nodeId} ports={n.models} />} />
          {data.endpoints.length > 0 && (
            <section className="space-y-2">
              <h2 className="text-xs font-semibold uppercase text-slate-500">Endpoints</h2>
              {data.endpoints.map((e) => (
                <div key={e.slug}>
                  <p className="mb-1 text-xs text-slate-600">
                    Deployed model version <b>{e.modelVersion}</b>
                  </p>
                  <EndpointTry slug={e.slug} url={e.url} />
                </div>
              ))}
            </section>
          )}
          <Timeline graph={data.graph} nodes={data.nodes} runStart={data.startedAt ?? data.createdAt} now={run.dataUpdatedAt} />
          <NodeTable graph={data.graph} nodes={data.nodes} />
          {data.temporalUi && (
            <p className="text-[11px] text-slate-400">
              Raw workflow history (administrators, from this machine):{" "}
              <a className="text-sky-700 hover:underline" href={data.temporalUi} target="_blank" rel="noreferrer">
                Temporal UI
              </a>
              , workflow id <span className="font-mono">{workflowIdForRun(data.id)}</span>
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
