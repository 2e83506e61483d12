"use client";

import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, type NodeChange } from "@xyflow/react";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import type { Panel } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { MINIMAP_NODES, NodeDecorations, nodeTypes, sameDecoration, type NodeDecoration, type PipelineFlowNode } from "../canvas/node-card";
import { useNodeValueStore } from "../canvas/node-values";
import { NoteCard, type NoteFlowNode } from "../canvas/note-card";

/** Declared at module scope: React Flow warns when nodeTypes is recreated. */
const runNodeTypes = { ...nodeTypes, note: NoteCard };
import { statusStyle } from "../canvas/stage-style";
import { edgeId } from "../canvas/store";
import { useTheme } from "../ui/theme";
import { headlineOf, PanelView } from "./panels";

/** What the run page and a shared report both show of a run: its graph, node states, panels and timings. */
export interface RunGraph {
  nodes: { id: string; type: string; position: { x: number; y: number }; config?: Record<string, unknown> }[];
  edges: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }[];
  /** The pipeline's sticky notes, shown read-only (absent in a shared report). */
  notes?: { id: string; text: string; position: { x: number; y: number }; size: { width: number; height: number } }[];
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
  /** Why it ran, or the run whose output it reused (absent in a shared report). */
  cache?: { reason: string; reusedFrom?: { runId: string; nodeId: string } } | null;
}

export const active = (s?: string) => s === "queued" || s === "running";

export function formatMs(ms: number | null | undefined) {
  if (ms === null || ms === undefined) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export const span = (a?: Date | string | null, b?: Date | string | null) => (a && b ? new Date(b).getTime() - new Date(a).getTime() : null);

/** The pipeline as it ran, each card with its status, time and headline metric; read-only. */
export function RunCanvas({ graph, nodes, onSelect }: { graph: RunGraph; nodes: RunNodeState[]; onSelect?: (nodeId: string) => void }) {
  const theme = useTheme();
  // Each card's measured size, kept on the nodes handed to React Flow (the minimap draws only
  // nodes that carry one; a read-only canvas has no other reason to take React Flow's changes).
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const sizes = changes.flatMap((c) => (c.type === "dimensions" && c.dimensions ? [[c.id, c.dimensions] as const] : []));
    if (sizes.length) setMeasured((m) => ({ ...m, ...Object.fromEntries(sizes) }));
  }, []);
  const flowNodes: (PipelineFlowNode | NoteFlowNode)[] = useMemo(
    () => [
      ...graph.nodes.map((n): PipelineFlowNode => ({
        id: n.id,
        type: "pipeline",
        position: n.position,
        measured: measured[n.id],
        data: n.config ? { type: n.type, config: n.config } : { type: n.type, config: {}, redacted: true },
        draggable: false,
        connectable: false,
        // Named for assistive technology: what it is, which one, and how it went.
        ariaLabel: `${getSpec(n.type)?.label ?? n.type} node ${n.id}, ${nodes.find((x) => x.nodeId === n.id)?.status ?? "not started"}`,
      })),
      // Read-only notes (the note card's default), behind the nodes.
      ...(graph.notes ?? []).map((n): NoteFlowNode => ({
        id: n.id,
        type: "note",
        position: n.position,
        data: { text: n.text },
        width: n.size.width,
        height: n.size.height,
        draggable: false,
        selectable: false,
        zIndex: -1,
      })),
    ],
    [graph.nodes, graph.notes, nodes, measured],
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
        detail: n.error ? `⚠ ${n.error}` : [n.cache?.reusedFrom ? "reused" : took !== null ? formatMs(took) : "", metrics].filter(Boolean).join(" · ") || undefined,
      };
    }
    return d;
  }, [nodes]);
  const decorationStore = useNodeValueStore(decorations, sameDecoration);
  return (
    <ReactFlowProvider>
      <NodeDecorations.Provider value={decorationStore}>
        <ReactFlow
          // Enter on a focused node opens it, as a click does.
          onKeyDownCapture={(e) => {
            const el = e.target as HTMLElement;
            if (onSelect && e.key === "Enter" && el.classList.contains("react-flow__node-pipeline") && el.dataset.id) onSelect(el.dataset.id);
          }}
          nodes={flowNodes}
          edges={edges}
          onNodesChange={onNodesChange}
          nodeTypes={runNodeTypes}
          fitView
          fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
          // React Flow's default (0.5) kept a wide pipeline from fitting a 1280×800 window.
          minZoom={0.1}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={!!onSelect}
          onNodeClick={onSelect ? (_, n) => n.type === "pipeline" && onSelect(n.id) : undefined}
          proOptions={{ hideAttribution: true }}
          colorMode={theme}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
          {flowNodes.length > 1 && flowNodes.length <= MINIMAP_NODES && <MiniMap pannable zoomable ariaLabel="Minimap of the run's pipeline" />}
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
                  {n?.cache && (
                    <div className={`mt-0.5 ${n.cache.reusedFrom ? "text-emerald-700" : "text-slate-500"}`} data-testid={`cache-${g.id}`}>
                      {n.cache.reusedFrom ? (
                        <>
                          reused from{" "}
                          <a className="font-mono underline" href={`/runs/${n.cache.reusedFrom.runId}`}>
                            run {n.cache.reusedFrom.runId.slice(0, 8)}
                          </a>
                        </>
                      ) : (
                        `ran: ${n.cache.reason}`
                      )}
                    </div>
                  )}
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

export interface TimelineRow {
  nodeId: string;
  status: string;
  /** Milliseconds from the run's start: when its inputs were ready, when it started, when it ended. */
  ready: number;
  start: number;
  end: number | null;
}

/**
 * Each node's place in time: when its inputs were ready (the last upstream node finished, or the
 * run started), when a worker started it (the gap is queue wait) and when it finished. Nodes that
 * never started are left out.
 */
export function timelineRows(graph: RunGraph, nodes: RunNodeState[], runStart: Date | string): TimelineRow[] {
  const t0 = new Date(runStart).getTime();
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const at = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() - t0 : null);
  const rows: TimelineRow[] = [];
  for (const g of graph.nodes) {
    const n = byId.get(g.id);
    const start = at(n?.startedAt);
    if (!n || start === null) continue;
    const upstream = graph.edges.filter((e) => e.target === g.id).map((e) => at(byId.get(e.source)?.finishedAt));
    const ready = Math.min(start, Math.max(0, ...upstream.filter((x): x is number => x !== null)));
    rows.push({ nodeId: g.id, status: n.status, ready, start, end: at(n.finishedAt) });
  }
  return rows.sort((a, b) => a.start - b.start);
}

/** A Gantt chart of the run: queue wait (light) and work (solid) per node. */
export function Timeline({ graph, nodes, runStart, now }: { graph: RunGraph; nodes: RunNodeState[]; runStart: Date | string; now?: number }) {
  const rows = timelineRows(graph, nodes, runStart);
  if (!rows.length) return null;
  const t0 = new Date(runStart).getTime();
  const current = (now ?? t0) - t0;
  const total = Math.max(1, ...rows.map((r) => r.end ?? Math.max(r.start, current)));
  const pct = (ms: number) => `${(100 * ms) / total}%`;
  return (
    <section>
      <h2 className="mb-1 text-xs font-semibold uppercase text-slate-500">Timeline</h2>
      <div className="space-y-1" data-testid="timeline">
        {rows.map((r) => {
          const end = r.end ?? Math.max(r.start, current);
          return (
            <div key={r.nodeId} className="flex items-center gap-2 text-[11px]" data-testid={`timeline-${r.nodeId}`}>
              <span className="w-20 shrink-0 truncate font-mono" title={r.nodeId}>
                {r.nodeId}
              </span>
              <div className="relative h-3 flex-1 rounded bg-slate-100" title={`waited ${formatMs(r.start - r.ready)}, ran ${formatMs(end - r.start)}`}>
                <div className="absolute h-full rounded-l bg-slate-300" style={{ left: pct(r.ready), width: pct(r.start - r.ready) }} />
                <div className={`absolute h-full rounded ${r.status === "failed" ? "bg-red-500" : r.status === "running" ? "bg-sky-400" : "bg-sky-600"}`} style={{ left: pct(r.start), width: `max(2px, ${pct(end - r.start)})` }} />
              </div>
              <span className="w-14 shrink-0 text-right text-slate-500">{formatMs(end - r.start)}</span>
            </div>
          );
        })}
      </div>
      <p className="mt-1 text-[10px] text-slate-400">Light: waiting for a worker after its inputs were ready. Solid: running.</p>
    </section>
  );
}
