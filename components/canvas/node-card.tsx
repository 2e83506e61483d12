"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { createContext, memo, useContext, useMemo } from "react";
import { useNodeValue, type NodeValueStore } from "./node-values";
import type { GraphError } from "~/lib/pipeline/document";
import { isParameterRef } from "~/lib/pipeline/parameters";
import { getSpec } from "~/workflows/nodes/registry";
import { stageStyle, statusStyle } from "./stage-style";

/** A node as a card shows it; `redacted` (a shared run report, which has no configs) shows no summary of its settings. */
type PipelineNodeData = { type: string; config: Record<string, unknown>; redacted?: boolean };
export type PipelineFlowNode = Node<PipelineNodeData, "pipeline">;

/** What surrounds a node card: compile errors in the editor, live status on the run page. */
export interface NodeDecoration {
  errors?: GraphError[];
  status?: string;
  detail?: string;
  /** Work done while running, e.g. trees grown / total. */
  progress?: { done: number; total: number } | null;
  /** Against a compared version: a node that is new, whose settings differ, or that the canvas no longer has (drawn faded). */
  diff?: "added" | "changed" | "removed";
}

const sameErrors = (a: GraphError[] | undefined, b: GraphError[] | undefined) =>
  a === b || (!!a && !!b && a.length === b.length && a.every((e, i) => e.message === b[i]!.message && e.path === b[i]!.path && e.nodeId === b[i]!.nodeId));
export const sameDecoration = (a: NodeDecoration | undefined, b: NodeDecoration | undefined) =>
  a === b ||
  (!!a &&
    !!b &&
    a.status === b.status &&
    a.detail === b.detail &&
    a.diff === b.diff &&
    a.progress?.done === b.progress?.done &&
    a.progress?.total === b.progress?.total &&
    sameErrors(a.errors, b.errors));

/** Compile errors (editor) or run status (run pages) by node id. */
export const NodeDecorations = createContext<NodeValueStore<NodeDecoration> | null>(null);
/** The editor's settings by node id; elsewhere (run pages) cards show the settings their node carries. */
export const NodeConfigs = createContext<NodeValueStore<Record<string, unknown>> | null>(null);

/** Above this many nodes a canvas starts without its minimap (editor) or has none (run pages): its redraw costs tens of ms per edit at 1,000. */
export const MINIMAP_NODES = 300;

/** In the editor: each run parameter's default, so a setting that refers to one is summarised with it. */
export const ParameterDefaults = createContext<Record<string, unknown>>({});

/** The node's own one-line summary of its config (its spec's `summary`), when the config is valid. */
function useSummary(type: string, config: Record<string, unknown>, redacted: boolean): string {
  const defaults = useContext(ParameterDefaults);
  return useMemo(() => {
    if (redacted) return "";
    const spec = getSpec(type);
    const bound = Object.values(config).some(isParameterRef)
      ? Object.fromEntries(Object.entries(config).map(([k, v]) => [k, isParameterRef(v) ? defaults[v.$param] : v]))
      : config;
    const parsed = spec?.summary ? spec.config.safeParse(bound) : undefined;
    return parsed?.success ? spec!.summary!(parsed.data) : "";
  }, [type, config, redacted, defaults]);
}

/**
 * What fits on a card's summary line, cut in code rather than by CSS: an ellipsis by CSS needs a
 * clip per line, and at 1,000 cards those clips made every frame's layers several times slower to
 * settle (the card's own box clips anything that still runs over; see globals.css).
 */
const SUMMARY_CHARS = 27;
const clipped = (text: string) => (text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text);

function PipelineNodeCard({ id, data, selected }: NodeProps<PipelineFlowNode>) {
  const spec = getSpec(data.type);
  const deco = useNodeValue(useContext(NodeDecorations), id, undefined);
  const config = useNodeValue(useContext(NodeConfigs), id, data.config);
  const summary = useSummary(data.type, config, !!data.redacted);
  const summaryText = summary || id;
  if (!spec) {
    return <div className="rounded border border-red-400 bg-white p-2 text-xs text-red-700">Unknown node type {data.type}</div>;
  }
  const inputs = Object.entries(spec.inputs);
  const outputs = Object.entries(spec.outputs);
  const rows = Math.max(inputs.length, outputs.length, 1);
  const hasErrors = !!deco?.errors?.length;
  return (
    <div
      data-testid={`node-${id}`}
      className={`w-52 rounded-md border border-l-4 bg-white ${stageStyle[spec.stage].accent} ${
        hasErrors
          ? "border-red-400 inset-ring-2 inset-ring-red-200"
          : deco?.diff === "added"
            ? "border-emerald-400 inset-ring-2 inset-ring-emerald-200"
            : deco?.diff === "changed"
              ? "border-amber-400 inset-ring-2 inset-ring-amber-200"
              : deco?.diff === "removed"
                ? "border-dashed border-red-400 opacity-50"
              : selected
                ? "border-slate-400 inset-ring-2 inset-ring-sky-200"
                : "border-slate-200"
      }`}
      data-diff={deco?.diff}
      title={deco?.errors?.map((e) => `${e.path}: ${e.message}`).join("\n")}
    >
      <div className="flex items-center justify-between gap-2 px-3 pt-2">
        {/* A long name next to a status wraps rather than pushing the status off the card (no clip: see globals.css). */}
        <span className="min-w-0 text-sm leading-tight font-medium">{spec.label}</span>
        {deco?.status ? (
          <span data-testid={`status-${id}`} className={`shrink-0 rounded px-1.5 py-0.5 text-[10px] font-medium ${statusStyle[deco.status] ?? ""}`}>
            {deco.status}
          </span>
        ) : (
          <span className={`shrink-0 rounded px-1.5 py-0.5 text-[10px] ${stageStyle[spec.stage].chip}`}>{stageStyle[spec.stage].label}</span>
        )}
      </div>
      <div className="whitespace-nowrap px-3 pb-1 font-mono text-[11px] text-slate-500" title={summaryText.length > SUMMARY_CHARS ? summaryText : undefined}>
        {clipped(summaryText)}
      </div>
      <div className="relative" style={{ height: rows * 20 + 6 }}>
        {inputs.map(([port, p], i) => (
          <div key={port} className="absolute left-0 text-[10px] text-slate-500" style={{ top: i * 20 + 2 }}>
            <Handle
              type="target"
              position={Position.Left}
              id={port}
              style={{ top: 8 }}
              aria-label={`input ${p.label} (${p.type}${p.optional ? ", optional" : ""})`}
              className={p.optional ? "!bg-white !border-slate-400" : "!bg-slate-500"}
            />
            {/* Port labels come from the node specs and are short; the card clips anything past its edge. */}
            <span className="block whitespace-nowrap pl-3" title={p.optional ? `${p.label} (optional)` : p.label}>
              {p.label}
            </span>
          </div>
        ))}
        {outputs.map(([port, p], i) => (
          <div key={port} className="absolute right-0 text-right text-[10px] text-slate-500" style={{ top: i * 20 + 2 }}>
            <span className="block whitespace-nowrap pr-3" title={p.label}>
              {p.label}
            </span>
            <Handle type="source" position={Position.Right} id={port} style={{ top: 8 }} aria-label={`output ${p.label} (${p.type})`} className="!bg-slate-700" />
          </div>
        ))}
      </div>
      {hasErrors && (
        <div data-testid={`errors-${id}`} className="border-t border-red-100 bg-red-50 px-3 py-1 text-[11px] text-red-700">
          {deco!.errors![0]!.message}
          {deco!.errors!.length > 1 ? ` (+${deco!.errors!.length - 1} more)` : ""}
        </div>
      )}
      {deco?.progress && deco.status === "running" && (
        <div className="border-t border-slate-100 px-3 py-1" data-testid={`progress-${id}`}>
          <div className="h-1.5 overflow-hidden rounded bg-slate-100" role="progressbar" aria-valuenow={deco.progress.done} aria-valuemax={deco.progress.total}>
            <div className="h-full bg-sky-500 transition-all" style={{ width: `${(100 * deco.progress.done) / deco.progress.total}%` }} />
          </div>
          <div className="mt-0.5 text-[10px] text-slate-500">
            {deco.progress.done} / {deco.progress.total}
          </div>
        </div>
      )}
      {deco?.detail && <div className="border-t border-slate-100 px-3 py-1 text-[11px] text-slate-600">{deco.detail}</div>}
    </div>
  );
}

const PipelineNode = memo(PipelineNodeCard);
/** Declared at module scope: React Flow warns when nodeTypes is recreated. */
export const nodeTypes = { pipeline: PipelineNode };
