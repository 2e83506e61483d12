"use client";

import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type Edge, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createContext, useContext, useState, type ReactNode } from "react";
import dagre from "@dagrejs/dagre";
import YAML from "yaml";
import { createStore, useStore, type StoreApi } from "zustand";
import type { PipelineDocument, PipelineNote, PipelineParameter } from "~/lib/pipeline/document";
import { isParameterRef } from "~/lib/pipeline/parameters";
import type { NodeType } from "~/workflows/nodes/registry";
import type { PipelineFlowNode } from "./node-card";
import { NOTE_SIZE, type NoteFlowNode } from "./note-card";

/** Everything React Flow draws: pipeline nodes and sticky notes. */
export type CanvasNode = PipelineFlowNode | NoteFlowNode;

/** What undo and redo restore. */
interface Snapshot {
  name: string;
  parameters: PipelineParameter[];
  nodes: PipelineFlowNode[];
  edges: Edge[];
  notes: NoteFlowNode[];
}

/** Copied nodes and the edges between them, as document fragments (shared across pipelines and tabs). */
interface Clip {
  nodes: { id: string; type: string; config: Record<string, unknown>; position: { x: number; y: number } }[];
  edges: { source: string; sourceHandle: string; target: string; targetHandle: string }[];
  notes?: Omit<PipelineNote, "id">[];
}

/** A new node's edge to the node it was dragged out of: which side the new node is on, and its port. */
export interface NewNodeConnection {
  node: string;
  handle: string;
  /** "source": the new node takes the existing node's output; "target": it feeds the existing node's input. */
  from: "source" | "target";
  port: string;
}

export interface EditorState {
  name: string;
  /** The run parameters the pipeline declares. */
  parameters: PipelineParameter[];
  nodes: PipelineFlowNode[];
  edges: Edge[];
  /** Sticky notes: saved with the pipeline, never compiled or run. */
  notes: NoteFlowNode[];
  selectedId: string | null;
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  undo(): void;
  redo(): void;
  /** Copies the selected nodes (and the edges between them); returns how many. */
  copy(): number;
  /** Pastes what was copied (here, in another pipeline or another tab), offset, and selects it. */
  paste(): number;
  /** Copy and paste in one step. */
  duplicate(): number;
  /** Lays the graph out left to right along its edges. */
  tidy(): void;
  load(doc: PipelineDocument): void;
  /** Puts an imported document on the canvas as an edit (undoable, saved as a new version). */
  replace(doc: PipelineDocument): void;
  setName(name: string): void;
  /** Replaces the declared parameters; a rename also rewrites the node settings that refer to the old name. */
  setParameters(parameters: PipelineParameter[], renamed?: { from: string; to: string }): void;
  /** Changes to pipeline nodes and notes alike (React Flow draws both). */
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  onConnect(c: Connection): void;
  /** Adds a node; with `connect`, also its edge to the node it was dragged out of (one step of undo). */
  addNode(type: NodeType, position: { x: number; y: number }, config: Record<string, unknown>, connect?: NewNodeConnection): string;
  addNote(position: { x: number; y: number }): string;
  setNoteText(id: string, text: string): void;
  updateNodeConfig(id: string, patch: Record<string, unknown>): void;
  select(id: string | null): void;
  markSaved(): void;
  toDocument(): PipelineDocument;
}

export const edgeId = (e: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) =>
  `${e.source}:${e.sourceHandle}->${e.target}:${e.targetHandle}`;

/** Notes share React Flow's ids with nodes, so a note's id is free among both. */
function nextNoteId(notes: { id: string }[], nodes: { id: string }[]) {
  for (let i = 1; ; i++) {
    const id = `note-${i}`;
    if (!notes.some((n) => n.id === id) && !nodes.some((n) => n.id === id)) return id;
  }
}

function nextNodeId(type: string, nodes: { id: string }[]) {
  const base = type.split("-")[0]!;
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!nodes.some((n) => n.id === id)) return id;
  }
}

/** Object keys sorted at every level, so the same pipeline always exports to the same text. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * A pipeline as a file, fit for review in git: canonical JSON (stable key order, two-space
 * indent) or the same tree as YAML.
 */
export const exportText = (doc: PipelineDocument, format: "json" | "yaml" = "json") =>
  format === "yaml" ? YAML.stringify(canonical(doc), { lineWidth: 0 }) : `${JSON.stringify(canonical(doc), null, 2)}\n`;

const noteOf = (n: NoteFlowNode): PipelineNote => ({
  id: n.id,
  text: n.data.text,
  position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
  size: { width: Math.round(n.width ?? NOTE_SIZE.width), height: Math.round(n.height ?? NOTE_SIZE.height) },
});
const noteNode = (n: PipelineNote): NoteFlowNode => ({ id: n.id, type: "note", position: n.position, data: { text: n.text }, width: n.size.width, height: n.size.height });

/** The pipeline document the canvas shows. Notes are written only when there are some, so older documents export as before. */
export function documentOf(s: Pick<EditorState, "name" | "nodes" | "edges"> & { parameters?: PipelineParameter[]; notes?: NoteFlowNode[] }): PipelineDocument {
  return {
    name: s.name,
    ...(s.parameters?.length ? { parameters: s.parameters } : {}),
    ...(s.notes?.length ? { notes: s.notes.map(noteOf) } : {}),
    nodes: s.nodes.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: s.edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" })),
  };
}

const HISTORY = 200;
/** Edits of one field within this long are one step of undo (typing a name is not ten steps). */
const COALESCE_MS = 1000;
const CLIPBOARD_KEY = "millrace:clipboard";
const NODE_W = 208;
const NODE_H = 96;

/** The state of one pipeline's canvas. Each editor makes its own, so no edit outlives its pipeline. */
function createEditorStore() {
  let lastKey = "";
  let lastAt = 0;
  let dragging = false;
  let resizing = false;
  let memoryClip: Clip | null = null;
  return createStore<EditorState>()((set, get) => {
    /** Keeps the state before an edit for undo; `key` merges quick edits of one thing into one step. */
    const record = (key = "") => {
      const now = Date.now();
      if (key && key === lastKey && now - lastAt < COALESCE_MS) {
        lastAt = now;
        return;
      }
      lastKey = key;
      lastAt = now;
      const { name, parameters, nodes, edges, notes, past } = get();
      set({ past: [...past.slice(-(HISTORY - 1)), { name, parameters, nodes, edges, notes }], future: [] });
    };
    /**
     * One step for removals made together: React Flow deletes a selection by removing its edges and
     * then its nodes, in two calls of the same task; undo must bring back both.
     */
    let removing = false;
    const recordRemoval = () => {
      if (removing) return;
      record();
      removing = true;
      queueMicrotask(() => {
        removing = false;
      });
    };
    const restore = (from: "past" | "future", to: "past" | "future") => {
      const s = get();
      const stack = s[from];
      const snap = stack[stack.length - 1];
      if (!snap) return;
      lastKey = "";
      set({
        [from]: stack.slice(0, -1),
        [to]: [...s[to], { name: s.name, parameters: s.parameters, nodes: s.nodes, edges: s.edges, notes: s.notes }],
        name: snap.name,
        parameters: snap.parameters,
        nodes: snap.nodes,
        edges: snap.edges,
        notes: snap.notes,
        selectedId: s.selectedId && snap.nodes.some((n) => n.id === s.selectedId) ? s.selectedId : null,
        dirty: true,
      } as Partial<EditorState>);
    };
    const readClip = (): Clip | null => {
      try {
        const text = window.localStorage.getItem(CLIPBOARD_KEY);
        return text ? (JSON.parse(text) as Clip) : memoryClip;
      } catch {
        return memoryClip;
      }
    };
    return {
    name: "",
    parameters: [],
    nodes: [],
    edges: [],
    notes: [],
    selectedId: null,
    dirty: false,
    past: [],
    future: [],
    undo: () => restore("past", "future"),
    redo: () => restore("future", "past"),
    copy: () => {
      const { nodes, edges, notes, selectedId } = get();
      const chosen = nodes.filter((n) => n.selected || n.id === selectedId);
      const chosenNotes = notes.filter((n) => n.selected || n.id === selectedId);
      if (!chosen.length && !chosenNotes.length) return 0;
      const ids = new Set(chosen.map((n) => n.id));
      memoryClip = {
        nodes: chosen.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config, position: n.position })),
        edges: edges
          .filter((e) => ids.has(e.source) && ids.has(e.target))
          .map((e) => ({ source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" })),
        ...(chosenNotes.length ? { notes: chosenNotes.map((n) => ({ text: n.data.text, position: n.position, size: { width: n.width ?? NOTE_SIZE.width, height: n.height ?? NOTE_SIZE.height } })) } : {}),
      };
      try {
        window.localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(memoryClip));
      } catch {
        // Storage may be unavailable (private mode): the copy still works within this tab.
      }
      return chosen.length + chosenNotes.length;
    },
    paste: () => {
      const clip = readClip();
      if (!clip?.nodes.length && !clip?.notes?.length) return 0;
      record();
      const s = get();
      const all = [...s.nodes];
      const allNotes = [...s.notes];
      const addedNotes = (clip.notes ?? []).map((n) => {
        const note: NoteFlowNode = { ...noteNode({ ...n, id: nextNoteId(allNotes, all), position: { x: n.position.x + 40, y: n.position.y + 40 } }), selected: true };
        allNotes.push(note);
        return note;
      });
      const renamed = new Map<string, string>();
      const added: PipelineFlowNode[] = clip.nodes.map((n) => {
        const id = nextNodeId(n.type, all);
        renamed.set(n.id, id);
        const node: PipelineFlowNode = { id, type: "pipeline", position: { x: n.position.x + 40, y: n.position.y + 40 }, data: { type: n.type as NodeType, config: n.config }, selected: true };
        all.push(node);
        return node;
      });
      const edges = clip.edges.map((e) => {
        const c = { ...e, source: renamed.get(e.source)!, target: renamed.get(e.target)! };
        return { ...c, id: edgeId(c) };
      });
      set({
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added],
        edges: [...s.edges, ...edges],
        notes: [...s.notes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...addedNotes],
        selectedId: added.length === 1 ? added[0]!.id : null,
        dirty: true,
      });
      return added.length + addedNotes.length;
    },
    duplicate: () => (get().copy() ? get().paste() : 0),
    tidy: () => {
      record();
      const { nodes, edges } = get();
      const g = new dagre.graphlib.Graph();
      g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 70 });
      g.setDefaultEdgeLabel(() => ({}));
      for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? NODE_W, height: n.measured?.height ?? NODE_H });
      for (const e of edges) g.setEdge(e.source, e.target);
      dagre.layout(g);
      set({
        nodes: nodes.map((n) => {
          const p = g.node(n.id);
          return { ...n, position: { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) } };
        }),
        dirty: true,
      });
    },
    load: (doc) =>
      set({
        name: doc.name,
        parameters: doc.parameters ?? [],
        nodes: doc.nodes.map((n) => ({ id: n.id, type: "pipeline", position: n.position, data: { type: n.type, config: n.config } })),
        edges: doc.edges.map((e) => ({ ...e, id: edgeId(e) })),
        notes: (doc.notes ?? []).map(noteNode),
        selectedId: null,
        dirty: false,
        past: [],
        future: [],
      }),
    replace: (doc) => {
      record();
      set({
        name: doc.name,
        parameters: doc.parameters ?? [],
        nodes: doc.nodes.map((n) => ({ id: n.id, type: "pipeline", position: n.position, data: { type: n.type as NodeType, config: n.config } })),
        edges: doc.edges.map((e) => ({ ...e, id: edgeId(e) })),
        notes: (doc.notes ?? []).map(noteNode),
        selectedId: null,
        dirty: true,
      });
    },
    setName: (name) => {
      record("name");
      set({ name, dirty: true });
    },
    setParameters: (parameters, renamed) => {
      record("parameters");
      const refers = (v: unknown) => isParameterRef(v) && v.$param === renamed?.from;
      set((s) => ({
        parameters,
        nodes: renamed
          ? s.nodes.map((n) =>
              Object.values(n.data.config).some(refers)
                ? { ...n, data: { ...n.data, config: Object.fromEntries(Object.entries(n.data.config).map(([k, v]) => [k, refers(v) ? { $param: renamed.to } : v])) } }
                : n,
            )
          : s.nodes,
        dirty: true,
      }));
    },
    onNodesChange: (incoming) => {
      // Changes to what the pipeline does not hold (a compared version's faded copies, which React
      // Flow measures) are React Flow's alone: nothing here changes, not even the arrays' identity.
      const { nodes, notes } = get();
      const noteIds = new Set(notes.map((n) => n.id));
      const nodeIds = new Set(nodes.map((n) => n.id));
      const changes = incoming.filter((c) => c.type === "add" || nodeIds.has(c.id) || noteIds.has(c.id));
      if (!changes.length) return;
      // Measuring is not an edit; resizing a note is.
      const meaningful = changes.some((c) => c.type !== "select" && (c.type !== "dimensions" || !!c.setAttributes));
      // A drag (or a resize) is one step of undo: the state before it is kept when it starts.
      const drag = changes.find((c) => c.type === "position");
      const resize = changes.find((c) => c.type === "dimensions" && c.resizing !== undefined);
      if (resize && resize.type === "dimensions") {
        if (resize.resizing && !resizing) record();
        resizing = !!resize.resizing;
      } else if (drag && drag.type === "position") {
        if (drag.dragging && !dragging) record();
        // Moved with the keyboard (no drag around it): quick presses are one step.
        else if (drag.dragging === false && !dragging) record("keyboard-move");
        dragging = !!drag.dragging;
      } else if (changes.some((c) => c.type === "remove")) recordRemoval();
      else if (meaningful) record();
      const isNote = (c: NodeChange<CanvasNode>) => noteIds.has(c.type === "add" ? c.item.id : c.id);
      const nodeChanges = changes.filter((c) => !isNote(c)) as NodeChange<PipelineFlowNode>[];
      const noteChanges = changes.filter(isNote) as NodeChange<NoteFlowNode>[];
      const removed = new Set(nodeChanges.filter((c) => c.type === "remove").map((c) => c.id));
      set((s) => ({
        nodes: nodeChanges.length ? applyNodeChanges(nodeChanges, s.nodes) : s.nodes,
        notes: noteChanges.length ? applyNodeChanges(noteChanges, s.notes) : s.notes,
        edges: removed.size ? s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : s.edges,
        selectedId: s.selectedId && removed.has(s.selectedId) ? null : s.selectedId,
        dirty: s.dirty || meaningful,
      }));
    },
    onEdgesChange: (changes) => {
      if (changes.some((c) => c.type === "remove")) recordRemoval();
      else if (changes.some((c) => c.type !== "select")) record();
      set((s) => ({ edges: applyEdgeChanges(changes, s.edges), dirty: s.dirty || changes.some((c) => c.type !== "select") }));
    },
    onConnect: (c) => {
      record();
      set((s) => ({
        // An input takes one connection: a new one replaces the old.
        edges: addEdge({ ...c, id: edgeId(c) }, s.edges.filter((e) => !(e.target === c.target && e.targetHandle === c.targetHandle))),
        dirty: true,
      }));
    },
    addNode: (type, position, config, connect) => {
      record();
      const id = nextNodeId(type, [...get().nodes, ...get().notes]);
      const edge = connect && (connect.from === "source"
        ? { source: connect.node, sourceHandle: connect.handle, target: id, targetHandle: connect.port }
        : { source: id, sourceHandle: connect.port, target: connect.node, targetHandle: connect.handle });
      set((s) => ({
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { id, type: "pipeline", position, data: { type, config }, selected: true }],
        // An input takes one connection: a new one replaces the old.
        edges: edge ? [...s.edges.filter((e) => !(e.target === edge.target && e.targetHandle === edge.targetHandle)), { ...edge, id: edgeId(edge) }] : s.edges,
        selectedId: id,
        dirty: true,
      }));
      return id;
    },
    addNote: (position) => {
      record();
      const id = nextNoteId(get().notes, get().nodes);
      set((s) => ({
        nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        notes: [...s.notes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...noteNode({ id, text: "", position, size: NOTE_SIZE }), selected: true }],
        selectedId: id,
        dirty: true,
      }));
      return id;
    },
    setNoteText: (id, text) => {
      record(`note:${id}`);
      set((s) => ({ notes: s.notes.map((n) => (n.id === id ? { ...n, data: { text } } : n)), dirty: true }));
    },
    updateNodeConfig: (id, patch) => {
      record(`config:${id}:${Object.keys(patch).join(",")}`);
      set((s) => ({
        nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config: { ...n.data.config, ...patch } } } : n)),
        dirty: true,
      }));
    },
    select: (id) => set({ selectedId: id }),
    markSaved: () => set({ dirty: false }),
    toDocument: () => documentOf(get()),
    };
  });
}

const EditorStoreContext = createContext<StoreApi<EditorState> | null>(null);

/** Gives its subtree a fresh canvas store; mount one per pipeline (keyed by its id). */
export function EditorStoreProvider({ children }: { children: ReactNode }) {
  const [store] = useState(createEditorStore);
  return <EditorStoreContext.Provider value={store}>{children}</EditorStoreContext.Provider>;
}

function useEditorStoreApi() {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error("the canvas store is used outside EditorStoreProvider");
  return store;
}

/** The whole state (re-renders on every change), or a slice of it. */
export function useEditor(): EditorState;
export function useEditor<T>(selector: (s: EditorState) => T): T;
export function useEditor<T>(selector?: (s: EditorState) => T) {
  return useStore(useEditorStoreApi(), selector ?? ((s) => s as unknown as T));
}

/** Reads the current state without subscribing (for event handlers). */
export function useEditorState(): () => EditorState {
  return useEditorStoreApi().getState;
}
