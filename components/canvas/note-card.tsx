"use client";

import { NodeResizer, type Node, type NodeProps } from "@xyflow/react";
import { createContext, memo, useContext } from "react";

/** A sticky note as React Flow shows it: its size lives in the node's width and height. */
export type NoteFlowNode = Node<{ text: string }, "note">;

export const NOTE_SIZE = { width: 208, height: 120 };

/** What a note may do on this canvas: edit its text (the editor), or only be read (viewers, run pages). */
export const NoteEditing = createContext<{ readOnly: boolean; setText: (id: string, text: string) => void }>({ readOnly: true, setText: () => {} });

function StickyNote({ id, data, selected }: NodeProps<NoteFlowNode>) {
  const { readOnly, setText } = useContext(NoteEditing);
  return (
    <div data-testid={`note-${id}`} className="flex h-full w-full flex-col rounded-md border border-yellow-300 bg-yellow-50 shadow-sm">
      {!readOnly && <NodeResizer isVisible={selected} minWidth={120} minHeight={60} color="#ca8a04" />}
      {/* The strip is where a note is grabbed to move it; the text below is for typing. */}
      <div className="cursor-grab px-2 pt-1 text-[10px] font-medium uppercase tracking-wide text-yellow-700">Note</div>
      <textarea
        aria-label="Note text"
        readOnly={readOnly}
        value={data.text}
        placeholder={readOnly ? "" : "Write a note…"}
        onChange={(e) => setText(id, e.target.value)}
        // Typing, selecting text and scrolling stay in the note instead of moving or zooming the canvas.
        className="nodrag nowheel min-h-0 flex-1 resize-none bg-transparent px-2 pb-2 text-xs leading-snug text-slate-800 placeholder:text-yellow-600/60 focus:outline-none"
      />
    </div>
  );
}

export const NoteCard = memo(StickyNote);
