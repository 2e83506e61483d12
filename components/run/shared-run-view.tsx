"use client";

import { useQuery } from "@tanstack/react-query";
import { statusStyle } from "../canvas/stage-style";
import { useTRPC } from "../trpc";
import { active, formatMs, NodePanels, NodeTable, RunCanvas, span, Timeline } from "./run-parts";

/** A run as a share link shows it: read-only, redacted on the server (server/runs/shares.ts), live while it runs. */
export function SharedRunView({ token }: { token: string }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.share.view.queryOptions({ token }),
    refetchInterval: (q) => (active(q.state.data?.status) ? 2000 : false),
    retry: false,
  });
  if (run.isError) return <p className="p-6 text-slate-600">{run.error.message}</p>;
  const data = run.data;
  if (!data) return <p className="p-6 text-slate-500">Loading…</p>;
  const total = span(data.startedAt ?? data.createdAt, data.finishedAt);
  return (
    <div className="flex h-full flex-col">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <h1 className="font-medium">
          Run of {data.pipelineName} <span className="text-slate-500">v{data.pipelineVersion}</span>
        </h1>
        <span data-testid="run-status" className={`rounded px-2 py-0.5 text-xs font-medium ${statusStyle[data.status] ?? ""}`}>
          {data.status}
        </span>
        <span className="text-xs text-slate-500">{total !== null ? `took ${formatMs(total)}` : `started ${new Date(data.createdAt).toLocaleString()}`}</span>
        <span className="ml-auto text-xs text-slate-500" data-testid="shared-note">
          Shared report: read-only; settings, data sources, errors and endpoints are not included.{data.expiresAt ? ` The link expires ${new Date(data.expiresAt).toLocaleDateString()}.` : ""}
        </span>
      </div>
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1">
          <RunCanvas graph={data.graph} nodes={data.nodes} />
        </div>
        <aside className="w-96 shrink-0 space-y-4 overflow-y-auto border-l border-slate-200 bg-slate-50 p-3">
          <NodePanels nodes={data.nodes} />
          <Timeline graph={data.graph} nodes={data.nodes} runStart={data.startedAt ?? data.createdAt} now={run.dataUpdatedAt} />
          <NodeTable graph={data.graph} nodes={data.nodes} />
        </aside>
      </div>
    </div>
  );
}
