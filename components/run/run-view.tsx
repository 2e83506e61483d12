"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { Background, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import Link from "next/link";
import { useMemo } from "react";
import { getSpec } from "~/workflows/nodes/registry";
import { workflowIdForRun } from "~/workflows/temporal/shared";
import { NodeDecorations, nodeTypes, type NodeDecoration, type PipelineFlowNode } from "../canvas/node-card";
import { statusStyle } from "../canvas/stage-style";
import { edgeId } from "../canvas/store";
import { useTRPC } from "../trpc";
import { DeployModel } from "./deploy-model";
import { EndpointTry } from "./endpoint-try";
import { headlineOf, PanelView } from "./panels";

const active = (s?: string) => s === "queued" || s === "running";

function formatMs(ms: number | null | undefined) {
  if (ms === null || ms === undefined) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const span = (a?: Date | null, b?: Date | null) => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);

export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery({
    ...trpc.run.byId.queryOptions({ id: runId }),
    refetchInterval: (q) => (active(q.state.data?.status) ? 1000 : false),
  });
  const cancel = useMutation(trpc.run.cancel.mutationOptions({ onSuccess: () => run.refetch() }));
  const data = run.data;

  const nodes: PipelineFlowNode[] = useMemo(
    () =>
      (data?.graph.nodes ?? []).map((n) => ({
        id: n.id,
        type: "pipeline",
        position: n.position,
        data: { type: n.type, config: n.config },
        draggable: false,
        connectable: false,
      })),
    [data?.graph.nodes],
  );
  const edges = useMemo(
    () =>
      (data?.graph.edges ?? []).map((e) => ({
        ...e,
        id: edgeId(e),
        animated: data?.nodes.find((n) => n.nodeId === e.target)?.status === "running",
      })),
    [data?.graph.edges, data?.nodes],
  );
  const decorations = useMemo(() => {
    const d: Record<string, NodeDecoration> = {};
    for (const n of data?.nodes ?? []) {
      const took = span(n.startedAt, n.finishedAt);
      const metrics = headlineOf(n.panels);
      d[n.nodeId] = {
        status: n.status,
        progress: n.progress,
        detail: n.error ? `⚠ ${n.error}` : [took !== null ? formatMs(took) : "", metrics].filter(Boolean).join(" · ") || undefined,
      };
    }
    return d;
  }, [data?.nodes]);

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
        <div className="ml-auto flex gap-2">
          {active(data.status) && (
            <button type="button" onClick={() => cancel.mutate({ id: runId })} className="rounded border border-amber-300 px-3 py-1 text-sm text-amber-800 hover:bg-amber-50">
              Cancel run
            </button>
          )}
          <button
            type="button"
            onClick={() => void navigator.clipboard?.writeText(window.location.href)}
            className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50"
          >
            Copy link
          </button>
        </div>
      </div>
      {data.error && (
        <div role="alert" data-testid="run-error" className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          {data.error}
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <div className="min-w-0 flex-1">
          <ReactFlowProvider>
            <NodeDecorations.Provider value={decorations}>
              <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView fitViewOptions={{ padding: 0.1, maxZoom: 1 }} nodesDraggable={false} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
                <Background gap={16} />
                <Controls showInteractive={false} />
              </ReactFlow>
            </NodeDecorations.Provider>
          </ReactFlowProvider>
        </div>
        <aside className="w-96 shrink-0 space-y-4 overflow-y-auto border-l border-slate-200 bg-slate-50 p-3">
          {data.nodes.map((n) => {
            const panels = n.panels;
            if (!panels.length) return null;
            return (
              <section key={n.nodeId} className="space-y-2" data-testid={`panels-${n.nodeId}`}>
                <h2 className="text-xs font-semibold uppercase text-slate-500">
                  {getSpec(n.type)?.label ?? n.type} · <span className="font-mono normal-case">{n.nodeId}</span>
                </h2>
                {panels.map((p, i) => (
                  <PanelView key={i} panel={p} testId={p.kind === "bars" ? `bars-${n.nodeId}` : undefined} />
                ))}
                {n.status === "succeeded" && n.models.length > 0 && <DeployModel runId={runId} nodeId={n.nodeId} ports={n.models} />}
              </section>
            );
          })}
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
          <section>
            <h2 className="mb-1 text-xs font-semibold uppercase text-slate-500">Nodes</h2>
            <table className="w-full text-xs">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1 pr-2">Node</th>
                  <th className="pr-2">Status</th>
                  <th className="pr-2" title="Attempts">Try</th>
                  <th className="pr-2">Time</th>
                  <th title="Time spent in the node's own work">Work</th>
                </tr>
              </thead>
              <tbody>
                {(data.graph.nodes ?? []).map((g) => {
                  const n = data.nodes.find((x) => x.nodeId === g.id);
                  return (
                    <tr key={g.id} className="border-t border-slate-200 align-top">
                      <td className="py-1">
                        <div className="font-mono">{g.id}</div>
                        <div className="text-slate-400">{getSpec(g.type)?.label}</div>
                        {n?.error && <div className="mt-0.5 text-red-700">{n.error}</div>}
                      </td>
                      <td>
                        <span className={`rounded px-1.5 py-0.5 ${statusStyle[n?.status ?? "queued"]}`}>{n?.status ?? "–"}</span>
                      </td>
                      <td>{n?.attempt || "–"}</td>
                      <td>{formatMs(span(n?.startedAt, n?.finishedAt))}</td>
                      <td>{formatMs(n?.workMs)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
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
