"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { nodeSpecs, type NodeType } from "~/workflows/nodes/registry";
import { stageStyle } from "./stage-style";

interface Entry {
  type: NodeType;
  label: string;
  stage: keyof typeof stageStyle;
  description: string;
}

/** What quick add offers beside node types: a sticky note (not a node: it never compiles or runs). */
export const NOTE_ENTRY = "note" as const;
export type QuickAddChoice = NodeType | typeof NOTE_ENTRY;

/**
 * How well a query matches: its letters in order within the label (or the type), earlier and
 * closer together scoring higher; null when they do not all appear.
 */
function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase().replace(/\s+/g, "");
  const t = text.toLowerCase();
  if (!q) return 0;
  let score = 0;
  let at = -1;
  for (const ch of q) {
    const next = t.indexOf(ch, at + 1);
    if (next < 0) return null;
    // Adjacent letters and word starts count more than letters far apart.
    score += next === at + 1 ? 3 : next === 0 || t[next - 1] === " " || t[next - 1] === "-" ? 2 : 1;
    at = next;
  }
  return score - at / 100;
}

interface Props {
  onAdd: (choice: QuickAddChoice) => void;
  onClose: () => void;
  /** Offer only these node types (and no note): the ones a dropped connection can reach. */
  only?: NodeType[];
  /** Open as a small menu at this point of the canvas (px from its top left) instead of centred. */
  at?: { x: number; y: number };
  /** The dialog's accessible name. */
  label?: string;
}

/** A search box over node types: type a few letters, Enter adds the best match. */
export function QuickAdd({ onAdd, onClose, only, at, label = "Add a node" }: Props) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const entries = useMemo(() => {
    const specs: Entry[] = Object.values(nodeSpecs);
    const all: { key: QuickAddChoice; label: string; type: string; chip: string; chipClass: string; description: string }[] = (only ? specs.filter((e) => only.includes(e.type)) : specs).map((e) => ({
      key: e.type,
      label: e.label,
      type: e.type,
      chip: stageStyle[e.stage].label,
      chipClass: stageStyle[e.stage].chip,
      description: e.description,
    }));
    if (!only) all.push({ key: NOTE_ENTRY, label: "Sticky note", type: "note", chip: "Note", chipClass: "bg-yellow-100 text-yellow-800", description: "A note on the canvas: it never runs" });
    return all
      .map((e) => ({ e, score: Math.max(fuzzyScore(query, e.label) ?? -Infinity, fuzzyScore(query, e.type) ?? -Infinity) }))
      .filter((x) => x.score > -Infinity)
      .sort((a, b) => b.score - a.score)
      .map((x) => x.e);
  }, [query, only]);
  const choose = (key: QuickAddChoice | undefined) => {
    if (key) onAdd(key);
    onClose();
  };
  return (
    <div
      className={`absolute inset-0 z-20 ${at ? "" : "flex items-start justify-center bg-slate-900/10 pt-24"}`}
      onClick={onClose}
      onContextMenu={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div
        role="dialog"
        aria-label={label}
        className={`${at ? "absolute w-80" : "w-96"} rounded-md border border-slate-200 bg-white shadow-lg`}
        style={at ? { left: at.x, top: at.y } : undefined}
        onClick={(e) => e.stopPropagation()}
      >
        <input
          ref={input}
          aria-label="Node type"
          placeholder={only ? "Connect a new node: type to search…" : "Add a node: type to search…"}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            else if (e.key === "ArrowDown") setActive((a) => Math.min(a + 1, entries.length - 1));
            else if (e.key === "ArrowUp") setActive((a) => Math.max(a - 1, 0));
            else if (e.key === "Enter") choose(entries[active]?.key);
            else return;
            e.preventDefault();
          }}
          className="w-full rounded-t-md border-b border-slate-200 bg-transparent px-3 py-2 text-sm focus:outline-none"
        />
        <ul role="listbox" aria-label="Matches" className={`${at ? "max-h-56" : "max-h-72"} overflow-y-auto py-1`}>
          {entries.map((e, i) => (
            <li key={e.key} role="option" aria-selected={i === active}>
              <button
                type="button"
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(e.key)}
                className={`flex w-full items-baseline gap-2 px-3 py-1.5 text-left text-sm ${i === active ? "bg-sky-50" : ""}`}
              >
                <span className={`rounded px-1.5 text-[10px] ${e.chipClass}`}>{e.chip}</span>
                <span className="whitespace-nowrap font-medium">{e.label}</span>
                <span className="truncate text-xs text-slate-400">{e.description}</span>
              </button>
            </li>
          ))}
          {!entries.length && (
            <li className="px-3 py-2 text-sm text-slate-500">{only && !only.length ? "No node type takes this connection." : `No node type matches “${query}”.`}</li>
          )}
        </ul>
      </div>
    </div>
  );
}
