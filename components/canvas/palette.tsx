"use client";

import { stages } from "~/workflows/nodes/define";
import { nodeSpecs, type NodeType } from "~/workflows/nodes/registry";
import { stageStyle } from "./stage-style";

export const DRAG_MIME = "application/x-millrace-node";

/** Node types grouped by stage; drag one onto the canvas, or click to add it. */
export function Palette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const specs: { type: NodeType; label: string; stage: string; description: string }[] = Object.values(nodeSpecs);
  return (
    <aside className="w-56 shrink-0 overflow-y-auto border-r border-slate-200 bg-white p-3" aria-label="Node palette">
      <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Nodes</h2>
      <p className="mb-2 text-[11px] text-slate-400">
        or press <kbd className="rounded border border-slate-200 px-1">/</kbd> to search
      </p>
      {stages.map((stage) => {
        const group = specs.filter((s) => s.stage === stage);
        if (!group.length) return null;
        return (
          <section key={stage} className="mb-3">
            <h3 className="mb-1 text-[11px] font-medium text-slate-500">{stageStyle[stage].label}</h3>
            {group.map((spec) => (
              <button
                key={spec.type}
                type="button"
                draggable
                data-testid={`palette-${spec.type}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, spec.type);
                  e.dataTransfer.effectAllowed = "move";
                }}
                onClick={() => onAdd(spec.type)}
                title={spec.description}
                className={`mb-1 block w-full cursor-grab rounded border border-l-4 border-slate-200 bg-white px-2 py-1.5 text-left text-sm hover:bg-slate-50 ${stageStyle[stage].accent}`}
              >
                {spec.label}
              </button>
            ))}
          </section>
        );
      })}
    </aside>
  );
}
