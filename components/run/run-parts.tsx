"use client";

import { Background, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useMemo, type ReactNode } from "react";
import type { Panel } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { NodeDecorations, nodeTypes, type NodeDecoration, type PipelineFlowNode } from "../canvas/node-card";
import { statusStyle } from "../canvas/stage-style";
import { edgeId } from "../canvas/store";
import { headlineOf, PanelView } from "./panels";

/** What the run page and a shared report both show of a run: its graph, node states, panels and timings. */
export interface RunGraph {
  nodes: { id: string; type: string; position: { x: number; y: number }; config?: Record<string, unknown> }[];
  edges: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }[];
}
export interface RunNodeState {
  nodeId: string;
  type: string;
  status: string;
  attempt: number;
  panels: Panel[];
  progress: { done: number; total: number } | null;
  workMs: number | null;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
  /** Absent in a shared report. */
  error?: string | null;
}

export const active = (s?: string) => s === "queued" || s === "running";

export function formatMs(ms: number | null | undefined) {
  if (ms === null || ms === undefined) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const span = (a?: Date | string | null, b?: Date | string | null) => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);

/** The pipeline as it ran, each card with its status, time and headline metric; read-only. */
export function RunCanvas({ graph, nodes }: { graph: RunGraph; nodes: RunNodeState[] }) {
  const flowNodes: PipelineFlowNode[] = useMemo(
    () =>
      graph.nodes.map((n) => ({
        id: n.id,
        type: "pipeline",
        position: n.position,
        data: n.config ? { type: n.type, config: n.config } : { type: n.type, config: {}, redacted: true },
        draggable: false,
        connectable: false,
      })),
    [graph.nodes],
  );
  const edges = useMemo(
    () =>
      graph.edges.map((e) => ({
        ...e,
        id: edgeId(e),
        animated: nodes.find((n) => n.nodeId === e.target)?.status === "running",
      })),
    [graph.edges, nodes],
  );
  const decorations = useMemo(() => {
    const d: Record<string, NodeDecoration> = {};
    for (const n of nodes) {
      const took = span(n.startedAt, n.finishedAt);
      const metrics = headlineOf(n.panels);
      d[n.nodeId] = {
        status: n.status,
        progress: n.progress,
        detail: n.error ? `⚠ ${n.error}` : [took !== null ? formatMs(took) : "", metrics].filter(Boolean).join(" · ") || undefined,
      };
    }
    return d;
  }, [nodes]);
  return (
    <ReactFlowProvider>
      <NodeDecorations.Provider value={decorations}>
        <ReactFlow nodes={flowNodes} edges={edges} nodeTypes={nodeTypes} fitView fitViewOptions={{ padding: 0.1, maxZoom: 1 }} nodesDraggable={false} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
          <Background gap={16} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </NodeDecorations.Provider>
    </ReactFlowProvider>
  );
}

/** Each node's panels (metrics, charts), with whatever the page adds under them. */
export function NodePanels<N extends RunNodeState>({ nodes, after }: { nodes: N[]; after?: (n: N) => ReactNode }) {
  return nodes.map((n) =>
    n.panels.length ? (
      <section key={n.nodeId} className="space-y-2" data-testid={`panels-${n.nodeId}`}>
        <h2 className="text-xs font-semibold uppercase text-slate-500">
          {getSpec(n.type)?.label ?? n.type} · <span className="font-mono normal-case">{n.nodeId}</span>
        </h2>
        {n.panels.map((p, i) => (
          <PanelView key={i} panel={p} testId={p.kind === "bars" ? `bars-${n.nodeId}` : undefined} />
        ))}
        {after?.(n)}
      </section>
    ) : null,
  );
}

/** Every node of the graph: status, attempts, time, own work (and, for members, its error). */
export function NodeTable({ graph, nodes }: { graph: RunGraph; nodes: RunNodeState[] }) {
  return (
    <section>
      <h2 className="mb-1 text-xs font-semibold uppercase text-slate-500">Nodes</h2>
      <table className="w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="py-1 pr-2">Node</th>
            <th className="pr-2">Status</th>
            <th className="pr-2" title="Attempts">
              Try
            </th>
            <th className="pr-2">Time</th>
            <th title="Time spent in the node's own work">Work</th>
          </tr>
        </thead>
        <tbody>
          {graph.nodes.map((g) => {
            const n = nodes.find((x) => x.nodeId === g.id);
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
  );
}
