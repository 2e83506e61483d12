"use client";

import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type Edge, type EdgeChange, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import type { PipelineDocument } from "../../workflows/graph";
import { defaultConfig, type NodeType } from "../../workflows/nodes";
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
  addNode(type: NodeType, position: { x: number; y: number }): string;
  updateNodeConfig(id: string, patch: Record<string, unknown>): void;
  select(id: string | null): void;
  markSaved(): void;
  toDocument(): PipelineDocument;
}

const edgeId = (e: { source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }) =>
  `${e.source}:${e.sourceHandle}->${e.target}:${e.targetHandle}`;

function nextNodeId(type: string, nodes: PipelineFlowNode[]) {
  const base = type.split("-")[0]!;
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!nodes.some((n) => n.id === id)) return id;
  }
}

export const useEditorStore = create<EditorState>((set, get) => ({
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
  addNode: (type, position) => {
    const id = nextNodeId(type, get().nodes);
    set((s) => ({
      nodes: [...s.nodes, { id, type: "pipeline", position, data: { type, config: defaultConfig(type) } }],
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
  toDocument: () => {
    const s = get();
    return {
      name: s.name,
      nodes: s.nodes.map((n) => ({ id: n.id, type: n.data.type, config: n.data.config, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } })),
      edges: s.edges.map((e) => ({ source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" })),
    };
  },
}));
