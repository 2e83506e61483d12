"use client";

import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type Edge, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createContext, useContext, useState, type ReactNode } from "react";
import { createStore, useStore, type StoreApi } from "zustand";
import type { PipelineDocument } from "~/lib/pipeline/document";
import type { NodeType } from "~/workflows/nodes/registry";
import type { PipelineFlowNode } from "./node-card";

export interface EditorState {
  name: string;
  nodes: PipelineFlowNode[];
  edges: Edge[];
  selectedId: string | null;
  dirty: boolean;
  load(doc: PipelineDocument): void;
  setName(name: string): void;
  onNodesChange(changes: NodeChange<PipelineFlowNode>[]): void;
  onEdgesChange(changes: EdgeChange[]): void;
  onConnect(c: Connection): void;
  addNode(type: NodeType, position: { x: number; y: number }, config: Record<string, unknown>): string;
  updateNodeConfig(id: string, patch: Record<string, unknown>): void;
  select(id: string | null): void;
  markSaved(): void;
  toDocument(): PipelineDocument;
}

export const edgeId = (e: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) =>
  `${e.source}:${e.sourceHandle}->${e.target}:${e.targetHandle}`;

function nextNodeId(type: string, nodes: PipelineFlowNode[]) {
  const base = type.split("-")[0]!;
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!nodes.some((n) => n.id === id)) return id;
  }
}

/** The pipeline document the canvas shows. */
export function documentOf(s: Pick<EditorState, "name" | "nodes" | "edges">): PipelineDocument {
  return {
    name: s.name,
    nodes: s.nodes.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
    edges: s.edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" })),
  };
}

/** The state of one pipeline's canvas. Each editor makes its own, so no edit outlives its pipeline. */
function createEditorStore() {
  return createStore<EditorState>()((set, get) => ({
    name: "",
    nodes: [],
    edges: [],
    selectedId: null,
    dirty: false,
    load: (doc) =>
      set({
        name: doc.name,
        nodes: doc.nodes.map((n) => ({ id: n.id, type: "pipeline", position: n.position, data: { type: n.type, config: n.config } })),
        edges: doc.edges.map((e) => ({ ...e, id: edgeId(e) })),
        selectedId: null,
        dirty: false,
      }),
    setName: (name) => set({ name, dirty: true }),
    onNodesChange: (changes) => {
      const meaningful = changes.some((c) => c.type !== "select" && c.type !== "dimensions");
      const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
      set((s) => ({
        nodes: applyNodeChanges(changes, s.nodes),
        edges: removed.size ? s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)) : s.edges,
        selectedId: s.selectedId && removed.has(s.selectedId) ? null : s.selectedId,
        dirty: s.dirty || meaningful,
      }));
    },
    onEdgesChange: (changes) =>
      set((s) => ({ edges: applyEdgeChanges(changes, s.edges), dirty: s.dirty || changes.some((c) => c.type !== "select") })),
    onConnect: (c) =>
      set((s) => ({
        // An input takes one connection: a new one replaces the old.
        edges: addEdge({ ...c, id: edgeId(c) }, s.edges.filter((e) => !(e.target === c.target && e.targetHandle === c.targetHandle))),
        dirty: true,
      })),
    addNode: (type, position, config) => {
      const id = nextNodeId(type, get().nodes);
      set((s) => ({
        nodes: [...s.nodes, { id, type: "pipeline", position, data: { type, config } }],
        selectedId: id,
        dirty: true,
      }));
      return id;
    },
    updateNodeConfig: (id, patch) =>
      set((s) => ({
        nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config: { ...n.data.config, ...patch } } } : n)),
        dirty: true,
      })),
    select: (id) => set({ selectedId: id }),
    markSaved: () => set({ dirty: false }),
    toDocument: () => documentOf(get()),
  }));
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
