"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Background, ControlButton, Controls, getNodesBounds, getViewportForBounds, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type IsValidConnection, type OnConnectEnd } from "@xyflow/react";
import { toPng, toSvg } from "html-to-image";
import YAML from "yaml";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { pipelineDocumentSchema, type GraphError, type PipelineDocument } from "~/lib/pipeline/document";
import { diffPipelines } from "~/lib/pipeline/diff";
import { compile, connectionProblem, portsCompatible, type CompileResult } from "~/workflows/nodes/compile";
import { getSpec, isNodeType, newNodeConfig, nodeSpecs, type NodeType } from "~/workflows/nodes/registry";
import { useTRPC } from "../trpc";
import { useTheme } from "../ui/theme";
import { Inspector, type Connection } from "./inspector";
import { NameVersion, versionText } from "./version-name";
import { MINIMAP_NODES, NodeConfigs, NodeDecorations, nodeTypes, ParameterDefaults, sameDecoration, type NodeDecoration, type PipelineFlowNode } from "./node-card";
import { useNodeValueStore } from "./node-values";
import { DRAG_MIME, Palette } from "./palette";
import { NoteCard, NoteEditing } from "./note-card";
import { NOTE_ENTRY, QuickAdd, type QuickAddChoice } from "./quick-add";
import { documentOf, edgeId, EditorStoreProvider, exportText, useEditor, useEditorState, type CanvasNode, type NewNodeConnection } from "./store";
import { LaunchForm, ParametersPanel } from "./parameters";
import { Schedules } from "./schedules";

/** Declared at module scope: React Flow warns when nodeTypes is recreated. */
const canvasNodeTypes = { ...nodeTypes, note: NoteCard };

/**
 * The node types a connection dragged out of a port can reach, each with the port it would use:
 * from an output, types with an input of its kind (a required one first); from an input, types
 * with an output of its kind.
 */
function reachableTypes(fromType: string, handle: string, side: "source" | "target"): Map<NodeType, string> {
  const port = side === "source" ? getSpec(fromType)?.outputs[handle] : getSpec(fromType)?.inputs[handle];
  const out = new Map<NodeType, string>();
  if (!port) return out;
  for (const spec of Object.values(nodeSpecs)) {
    const ports = Object.entries(side === "source" ? spec.inputs : spec.outputs).filter(([, p]) => p.type === port.type);
    const best = ports.find(([, p]) => !("optional" in p && p.optional)) ?? ports[0];
    if (best) out.set(spec.type, best[0]);
  }
  return out;
}

const ARROWS: Record<string, { x: number; y: number }> = { ArrowLeft: { x: -1, y: 0 }, ArrowRight: { x: 1, y: 0 }, ArrowUp: { x: 0, y: -1 }, ArrowDown: { x: 0, y: 1 } };

/** The nearest item in a direction from another (by centres; straying sideways counts double), if any. */
function nearestInDirection(from: { x: number; y: number }, items: { id: string; x: number; y: number }[], dir: { x: number; y: number }) {
  let best: { id: string; score: number } | undefined;
  for (const it of items) {
    const dx = it.x - from.x;
    const dy = it.y - from.y;
    const along = dx * dir.x + dy * dir.y;
    if (along <= 1) continue;
    const score = along + 2 * Math.abs(dir.x ? dy : dx);
    if (!best || score < best.score) best = { id: it.id, score };
  }
  return best?.id;
}

/** What React Flow reads to people using a screen reader: how this canvas works from the keyboard. */
const ariaLabelConfig = {
  "node.a11yDescription.default":
    "Enter opens the node's settings, which list its connections (each can be removed there). Arrow keys move to the nearest node that way; Shift with an arrow moves the node. Delete removes it. Tab goes to the next node.",
};

const DELETE_KEYS = ["Backspace", "Delete"];
const SNAP_GRID: [number, number] = [16, 16];
const FIT_VIEW = { padding: 0.15, maxZoom: 1 };
const PRO_OPTIONS = { hideAttribution: true };

/** A function of stable identity that calls the latest `fn` (set after each render). */
function useLatest<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ref = useRef(fn);
  useLayoutEffect(() => {
    ref.current = fn;
  });
  return useCallback((...args: A) => ref.current(...args), []);
}

/**
 * The document as the compiler reads it: everything but positions. While only positions changed
 * (a drag), the previous document is returned, so the compile result stays and nothing recompiles.
 */
class SameStructure {
  private last: { datas: unknown[]; edges: unknown; name: string; parameters: unknown; doc: PipelineDocument } | null = null;
  of(doc: PipelineDocument, nodes: { data: unknown }[], edges: unknown, parameters: unknown): PipelineDocument {
    const prev = this.last;
    if (prev && prev.edges === edges && prev.name === doc.name && prev.parameters === parameters && prev.datas.length === nodes.length && nodes.every((n, i) => n.data === prev.datas[i])) return prev.doc;
    this.last = { datas: nodes.map((n) => n.data), edges, name: doc.name, parameters, doc };
    return doc;
  }
}

/**
 * `run()`'s result, worked out after the browser has drawn the render that changed `run` (the
 * first one at once); until then the previous result stands. The second value gives the result for
 * the latest `run` on demand (an action that must not act on a stale check).
 */
function useAfterPaint<T>(run: () => T): [T, () => T] {
  const [done, setDone] = useState(() => ({ run, value: run() }));
  useEffect(() => {
    if (done.run === run) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // requestAnimationFrame runs just before the frame is drawn; the timeout, just after it.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setDone({ run, value: run() }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [run, done.run]);
  const now = useLatest(() => (done.run === run ? done.value : run()));
  return [done.value, now];
}

/**
 * The list React Flow draws: the nodes, named for assistive technology (type, id, state), then the
 * notes. A node whose name and everything but its settings are unchanged keeps the object React
 * Flow has (cards read settings from the settings store), and an unchanged list keeps its array:
 * React Flow then does nothing at all for a keystroke in the inspector or a recompile.
 */
class DrawnNodes {
  private byId = new Map<string, { from: PipelineFlowNode; node: CanvasNode & { ariaLabel: string } }>();
  private list: CanvasNode[] = [];
  of(nodes: PipelineFlowNode[], decorations: Record<string, NodeDecoration>, notes: CanvasNode[]): CanvasNode[] {
    const next: CanvasNode[] = [];
    const seen = new Map<string, { from: PipelineFlowNode; node: CanvasNode & { ariaLabel: string } }>();
    for (const n of nodes) {
      const d = decorations[n.id];
      // Counts, not the messages: those are on the card, and would make its name a sentence.
      const state = d?.errors?.length ? `${d.errors.length} problem${d.errors.length > 1 ? "s" : ""}` : "ready";
      const ariaLabel = `${getSpec(n.data.type)?.label ?? n.data.type} node ${n.id}, ${state}`;
      const before = this.byId.get(n.id);
      const entry = before && before.node.ariaLabel === ariaLabel && sameButSettings(before.from, n) ? { from: n, node: before.node } : { from: n, node: { ...n, ariaLabel } };
      seen.set(n.id, entry);
      next.push(entry.node);
    }
    next.push(...notes);
    this.byId = seen;
    if (next.length !== this.list.length || next.some((n, i) => n !== this.list[i])) this.list = next;
    return this.list;
  }
}

/** The same node but perhaps for its settings (a new settings object is all an inspector edit makes). */
function sameButSettings(a: PipelineFlowNode, b: PipelineFlowNode) {
  if (a === b) return true;
  if (a.data.type !== b.data.type || a.data.redacted !== b.data.redacted) return false;
  const keys = Object.keys(b) as (keyof PipelineFlowNode)[];
  return keys.length === Object.keys(a).length && keys.every((k) => k === "data" || a[k] === b[k]);
}

/** A node's edges as its inspector lists them: its port's label, the node at the other end and that node's port label. */
function connectionsOf(id: string, nodes: PipelineFlowNode[], edges: Edge[]): Connection[] {
  const spec = (nodeId: string) => getSpec(nodes.find((n) => n.id === nodeId)?.data.type ?? "");
  const label = (nodeId: string, port: string | null | undefined, side: "inputs" | "outputs") => spec(nodeId)?.[side][port ?? ""]?.label ?? port ?? "";
  const out: Connection[] = [];
  for (const e of edges) {
    if (e.target === id) out.push({ edgeId: e.id, direction: "in", port: label(id, e.targetHandle, "inputs"), node: e.source, nodeLabel: spec(e.source)?.label ?? e.source, nodePort: label(e.source, e.sourceHandle, "outputs") });
    else if (e.source === id) out.push({ edgeId: e.id, direction: "out", port: label(id, e.sourceHandle, "outputs"), node: e.target, nodeLabel: spec(e.target)?.label ?? e.target, nodePort: label(e.target, e.targetHandle, "inputs") });
  }
  return out;
}

/**
 * Ids of the faded copies of what a compared version had. Node ids start with a letter or digit
 * and edge ids with a node id (the schema checks them), so no id of the pipeline starts with "~".
 */
const GHOST = "~removed:";

/** Nodes and edges a compared version had that the canvas no longer has, as React Flow draws them: faded, inert. */
function ghostsOf(compared: { version: number; doc: PipelineDocument }, changes: { removed: { id: string }[] }, edges: Edge[]): { nodes: CanvasNode[]; edges: Edge[] } {
  const removed = new Set(changes.removed.map((r) => r.id));
  const inert = { selectable: false, draggable: false, connectable: false, deletable: false, focusable: false } as const;
  const nodes = compared.doc.nodes
    .filter((n) => removed.has(n.id))
    .map(
      (n): CanvasNode => ({
        id: `${GHOST}${n.id}`,
        type: "pipeline",
        position: n.position,
        data: { type: n.type, config: n.config },
        ariaLabel: `${getSpec(n.type)?.label ?? n.type} node ${n.id}, removed since version ${compared.version}`,
        // Behind the pipeline's own nodes, where a node added since may stand in its place.
        zIndex: -1,
        ...inert,
      }),
    );
  const current = new Set(edges.map((e) => edgeId(e)));
  const end = (id: string) => (removed.has(id) ? `${GHOST}${id}` : id);
  const ghostEdges = compared.doc.edges
    .filter((e) => !current.has(edgeId(e)))
    .map(
      (e): Edge => ({
        id: `${GHOST}${edgeId(e)}`,
        source: end(e.source),
        target: end(e.target),
        sourceHandle: e.sourceHandle,
        targetHandle: e.targetHandle,
        className: "ghost-edge",
        ...inert,
      }),
    );
  return { nodes, edges: ghostEdges };
}

/** The problems a refused tRPC call carries (the server's InvalidError `errors`), if any. */
const problemsOf = (e: unknown) => (e as { data?: { errors?: GraphError[] } } | null)?.data?.errors;

/** What the visitor may do here, from their role in the pipeline's workspace (the server checks again). */
export interface EditorPermissions {
  edit: boolean;
  run: boolean;
}

function EditorCanvas({ pipelineId, can }: { pipelineId: string; can: EditorPermissions }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { screenToFlowPosition, fitView } = useReactFlow();
  const pipeline = useQuery(trpc.pipeline.byId.queryOptions({ id: pipelineId }));
  const datasets = useQuery(trpc.dataset.list.queryOptions());
  const endpoints = useQuery(trpc.endpoint.list.queryOptions());
  const secrets = useQuery(trpc.workspace.secrets.queryOptions());
  const describeQuery = useMutation(trpc.dataset.describeQuery.mutationOptions());
  const s = useEditor();
  const state = useEditorState();
  const theme = useTheme();
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [runErrors, setRunErrors] = useState<GraphError[] | null>(null);
  /** The launch form, open: how the run was asked for, and what the server said of the last values tried. */
  const [launch, setLaunch] = useState<{ ignoreCache: boolean; problems: GraphError[] } | null>(null);
  const [quickAdd, setQuickAdd] = useState(false);
  /** A connection dropped on empty canvas: where (canvas px and flow position), and the port it came from. */
  const [dropMenu, setDropMenu] = useState<{ at: { x: number; y: number }; flow: { x: number; y: number }; from: Omit<NewNodeConnection, "port">; types: Map<NodeType, string> } | null>(null);
  // A newer version saved elsewhere while these edits were made: its number, until resolved.
  const [conflict, setConflict] = useState<number | null>(null);
  // The problem list follows the edits while it is open.
  const [showProblems, setShowProblems] = useState(false);
  // The minimap redraws every node at each edit: shown by default up to MINIMAP_NODES nodes, then
  // on demand (the button under the zoom controls).
  const [miniMap, setMiniMap] = useState<boolean | null>(null);

  // The version the canvas's edits start from (the editor is mounted per pipeline); a newer saved
  // version replaces it only while there are no unsaved edits. Saves name it to detect conflicts.
  const baseVersion = useRef<number | null>(null);
  useEffect(() => {
    if (pipeline.data && pipeline.data.version !== baseVersion.current && !state().dirty) {
      state().load(pipeline.data);
      baseVersion.current = pipeline.data.version;
    }
  }, [pipeline.data, state]);

  // Unsaved edits are kept in this browser as they happen, so a crash, a closed tab or a lost
  // connection does not lose them; the next visit offers them back.
  const draftKey = `millrace:draft:${pipelineId}`;
  // Read once (the editor is mounted per pipeline); it only shows once the pipeline has loaded in the browser.
  const [draft, setDraft] = useState<{ savedAt: string; base: number | undefined; doc: PipelineDocument } | null>(() => {
    try {
      const text = typeof window === "undefined" ? null : window.localStorage.getItem(draftKey);
      return text ? (JSON.parse(text) as { savedAt: string; base: number | undefined; doc: PipelineDocument }) : null;
    } catch {
      return null;
    }
  });
  const writeDraft = useCallback(() => {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify({ savedAt: new Date().toISOString(), base: baseVersion.current ?? undefined, doc: documentOf(state()) }));
    } catch {
      // A full or disabled storage only loses the draft, never the canvas.
    }
  }, [draftKey, state]);
  useEffect(() => {
    if (!s.dirty) return;
    const t = setTimeout(writeDraft, 400);
    return () => clearTimeout(t);
  }, [s.dirty, s.nodes, s.edges, s.notes, s.name, writeDraft]);
  const restoreDraft = () => {
    if (!draft) return;
    state().replace(draft.doc);
    if (draft.base) baseVersion.current = draft.base;
    setDraft(null);
  };
  const discardDraft = () => {
    window.localStorage.removeItem(draftKey);
    setDraft(null);
  };

  // Closing the tab or reloading with unsaved edits asks first.
  useEffect(() => {
    if (!s.dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    // A link inside the app navigates without unloading the page, so the browser would not ask:
    // ask here, before the link's own handler (capture, on the document) sees the click.
    const leave = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
      if (!a || a.target === "_blank" || a.hasAttribute("download")) return;
      const to = new URL(a.href, window.location.href);
      if (to.origin !== window.location.origin || to.pathname === window.location.pathname) return;
      if (!window.confirm("Leave with unsaved edits? They stay in this browser as a draft that this pipeline offers back next time.")) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
      // Leaving: the draft is written now (not after its debounce), and a link that reloads the
      // page does not ask a second time through the browser's own prompt.
      writeDraft();
      window.removeEventListener("beforeunload", warn);
    };
    window.addEventListener("beforeunload", warn);
    window.document.addEventListener("click", leave, true);
    return () => {
      window.removeEventListener("beforeunload", warn);
      window.document.removeEventListener("click", leave, true);
    };
  }, [s.dirty, writeDraft]);

  // Keyboard: undo/redo, copy/paste/duplicate — not while typing in a field (it has its own undo).
  useEffect(() => {
    if (!can.edit) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
      if (e.key === "/" || ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k")) {
        e.preventDefault();
        setQuickAdd(true);
        return;
      }
      if (!(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      const act: (() => unknown) | null =
        key === "z" ? (e.shiftKey ? state().redo : state().undo) : key === "y" ? state().redo : key === "c" ? state().copy : key === "v" ? state().paste : key === "d" ? state().duplicate : null;
      if (!act) return;
      // Copy with no node selected (or paste with nothing copied) leaves the browser's own to work.
      if (act() !== 0) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [can.edit, state]);

  const download = (href: string, extension: string) => {
    const a = window.document.createElement("a");
    a.href = href;
    a.download = `${(state().name || "pipeline").replace(/[^\w.-]+/g, "-")}.${extension}`;
    a.click();
  };

  /**
   * The pipeline on the canvas as a file (canonical JSON or YAML: the same pipeline, the same
   * bytes), or as a picture of the whole graph (PNG, SVG).
   */
  const onExport = async (format: string) => {
    if (format === "json" || format === "yaml") {
      const url = URL.createObjectURL(new Blob([exportText(state().toDocument(), format)], { type: format === "json" ? "application/json" : "application/yaml" }));
      download(url, `millrace.${format}`);
      URL.revokeObjectURL(url);
      return;
    }
    const viewport = canvasRef.current?.querySelector<HTMLElement>(".react-flow__viewport");
    if (!viewport) return;
    const bounds = getNodesBounds([...state().nodes, ...state().notes]);
    const width = Math.ceil(bounds.width + 80);
    const height = Math.ceil(bounds.height + 80);
    const { x, y, zoom } = getViewportForBounds(bounds, width, height, 0.2, 2, 40);
    // The picture keeps the theme it was taken in (dark cards on white would look pasted in).
    const options = { backgroundColor: theme === "dark" ? "#0b1120" : "#ffffff", width, height, style: { width: `${width}px`, height: `${height}px`, transform: `translate(${x}px, ${y}px) scale(${zoom})` } };
    download(format === "svg" ? await toSvg(viewport, options) : await toPng(viewport, options), format);
  };

  /** A file from Export (or written by hand) replaces what the canvas shows, as one undoable edit. */
  const onImport = async (file: File | undefined) => {
    if (!file) return;
    let parsed: unknown;
    const yaml = /\.ya?ml$/i.test(file.name);
    try {
      const text = await file.text();
      parsed = yaml ? YAML.parse(text) : JSON.parse(text);
    } catch {
      setMessage({ kind: "error", text: `Import failed: ${file.name} is not ${yaml ? "YAML" : "JSON"}` });
      return;
    }
    const doc = pipelineDocumentSchema.safeParse(parsed);
    if (!doc.success) {
      const issue = doc.error.issues[0]!;
      setMessage({ kind: "error", text: `Import failed: ${issue.path.join(".") || "the file"}: ${issue.message}` });
      return;
    }
    state().replace(doc.data);
    setMessage({ kind: "ok", text: `Imported ${file.name}: save to keep it as a new version` });
    requestAnimationFrame(() => void fitView({ padding: 0.15, maxZoom: 1 }));
  };

  // Earlier versions, to look at or bring back (as an edit: saving makes it the latest).
  const versions = useQuery(trpc.pipeline.versions.queryOptions({ id: pipelineId }));
  const latestVersion = versions.data?.[0];
  const onRestore = async (version: number) => {
    const old = await queryClient.fetchQuery(trpc.pipeline.byId.queryOptions({ id: pipelineId, version }));
    state().replace({ name: old.name, parameters: old.parameters, notes: old.notes, nodes: old.nodes, edges: old.edges });
    setMessage({ kind: "ok", text: `Restored version ${version}: save to make it the latest` });
    requestAnimationFrame(() => void fitView({ padding: 0.15, maxZoom: 1 }));
  };

  const onCompare = async (version: number) => {
    const old = await queryClient.fetchQuery(trpc.pipeline.byId.queryOptions({ id: pipelineId, version }));
    setCompared({ version, doc: { name: old.name, parameters: old.parameters, notes: old.notes, nodes: old.nodes, edges: old.edges } });
  };

  const onTidy = () => {
    state().tidy();
    // After React Flow has the new positions.
    requestAnimationFrame(() => void fitView({ padding: 0.15, maxZoom: 1, duration: 200 }));
  };

  const columnsById = useMemo(() => new Map((datasets.data ?? []).map((d) => [d.id, d.columns])), [datasets.data]);
  const owners = useMemo(() => new Map((endpoints.data ?? []).map((e) => [e.slug, e])), [endpoints.data]);
  const { nodes: flowNodes, edges: flowEdges, name, parameters } = s;
  const document = useMemo(() => documentOf({ nodes: flowNodes, edges: flowEdges, name, parameters }), [flowNodes, flowEdges, name, parameters]);
  // What the compiler reads: everything but positions. A drag changes positions only, so it
  // keeps this object (and the compile result) and does not recompile the pipeline.
  const [structure] = useState(() => new SameStructure());
  const compileInput = useMemo(() => structure.of(document, flowNodes, flowEdges, parameters), [structure, document, flowNodes, flowEdges, parameters]);
  const parameterDefaults = useMemo(() => Object.fromEntries(parameters.map((p) => [p.name, p.default])), [parameters]);
  // The compiler is pure, so the canvas checks the graph on every edit without a round trip —
  // once the edit is on screen: a keystroke does not wait for a 1,000-node compile.
  const compileNow = useCallback(
    (): CompileResult =>
      datasets.data && endpoints.data
        ? compile(compileInput, { datasetColumns: (id) => columnsById.get(id), endpoint: (slug) => owners.get(slug), pipelineId })
        : { errors: [], columns: {}, parameters: {} },
    [compileInput, columnsById, owners, datasets.data, endpoints.data, pipelineId],
  );
  const [compiled, compiledNow] = useAfterPaint(compileNow);
  // Comparing with an earlier version: its document, and what differs from the canvas.
  const [compared, setCompared] = useState<{ version: number; doc: PipelineDocument } | null>(null);
  const last = useQuery(trpc.run.lastOutputs.queryOptions({ pipelineId }));
  const notes = s.notes;
  // Notes are compared too (they are not in `document`, which the compiler reads on every edit).
  const changes = useMemo(
    () => (compared ? diffPipelines(compared.doc, { ...document, notes: documentOf({ name, nodes: [], edges: [], notes }).notes }) : null),
    [compared, document, name, notes],
  );
  const decorations = useMemo(() => {
    const d: Record<string, NodeDecoration> = {};
    for (const e of compiled.errors) if (e.nodeId) (d[e.nodeId] ??= { errors: [] }).errors!.push(e);
    // What each node produced in the latest finished run: rows per dataset output.
    const lastNodes = Object.entries(last.data?.nodes ?? {});
    const typeOf = new Map(lastNodes.length ? flowNodes.map((x) => [x.id, x.data.type]) : []);
    for (const [id, n] of lastNodes) {
      // In the order the node declares its outputs (stored outputs come back sorted by name).
      const ports = Object.keys(getSpec(typeOf.get(id) ?? "")?.outputs ?? {});
      const outs = Object.entries(n.outputs).sort(([a], [b]) => ports.indexOf(a) - ports.indexOf(b));
      const shapes = outs.length === 1 ? `${outs[0]![1].rows.toLocaleString("en")} rows · ${outs[0]![1].columns.length} columns` : outs.map(([port, o]) => `${port} ${o.rows.toLocaleString("en")}`).join(" · ");
      const text = n.status === "succeeded" ? shapes : n.status;
      if (text) (d[id] ??= {}).detail = `last run${last.data!.version !== pipeline.data?.latestVersion ? ` (v${last.data!.version})` : ""}: ${text}`;
    }
    for (const id of changes?.added ?? []) (d[id] ??= {}).diff = "added";
    for (const c of changes?.changed ?? []) (d[c.id] ??= {}).diff = "changed";
    for (const r of changes?.removed ?? []) d[`${GHOST}${r.id}`] = { diff: "removed" };
    return d;
  }, [compiled.errors, changes, last.data, pipeline.data?.latestVersion, flowNodes]);
  const decorationStore = useNodeValueStore(decorations, sameDecoration);

  const save = useMutation(trpc.pipeline.save.mutationOptions());
  const start = useMutation(trpc.run.start.mutationOptions());

  const doSave = useCallback(async (overwrite = false) => {
    // The version these edits started from: a newer one saved meanwhile is a conflict, not overwritten.
    const res = await save.mutateAsync({ id: pipelineId, document: state().toDocument(), baseVersion: overwrite ? undefined : (baseVersion.current ?? undefined) });
    setConflict(null);
    state().markSaved();
    // Saved: the browser's copy of the edits is no longer needed.
    window.localStorage.removeItem(`millrace:draft:${pipelineId}`);
    baseVersion.current = res.version;
    // Saved once the server said so; the refreshed pipeline and version list follow on their own.
    void queryClient.invalidateQueries({ queryKey: trpc.pipeline.byId.queryKey({ id: pipelineId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.pipeline.versions.queryKey({ id: pipelineId }) });
    return res.version;
  }, [save, pipelineId, queryClient, trpc, state]);

  const onSave = async (overwrite = false) => {
    try {
      const v = await doSave(overwrite);
      setMessage({ kind: "ok", text: `Saved version ${v}` });
    } catch (e) {
      const data = (e as { data?: { kind?: string; latestVersion?: number } } | null)?.data;
      if (data?.kind === "conflict") {
        setConflict(data.latestVersion ?? null);
        setMessage(null);
      } else setMessage({ kind: "error", text: `Save failed: ${(e as Error).message}` });
    }
  };

  /** Drops these edits for the version saved meanwhile. */
  const takeTheirs = () => {
    setConflict(null);
    state().markSaved();
    window.localStorage.removeItem(`millrace:draft:${pipelineId}`);
    baseVersion.current = null;
    void queryClient.invalidateQueries({ queryKey: trpc.pipeline.byId.queryKey({ id: pipelineId }) });
  };

  /** Starts a run; a pipeline with parameters asks for their values first (the launch form). */
  const onRun = async (ignoreCache = false, parameters?: Record<string, string | number | boolean>) => {
    setRunErrors(null);
    // The canvas as it is now, even if the last edit's check has not run yet.
    const { errors } = compiledNow();
    if (errors.length) {
      setLaunch(null);
      setRunErrors(errors);
      return;
    }
    if (!parameters && state().parameters.length) {
      setLaunch({ ignoreCache, problems: [] });
      return;
    }
    try {
      if (state().dirty) await doSave();
      const res = await start.mutateAsync({ pipelineId, ignoreCache, parameters });
      router.push(`/runs/${res.runId}`);
    } catch (e) {
      const problems = problemsOf(e);
      if (parameters && problems?.length) setLaunch({ ignoreCache, problems });
      else if (problems?.length) setRunErrors(problems);
      else setMessage({ kind: "error", text: `Run failed to start: ${(e as Error).message}` });
    }
  };

  /** A new node: its schema's defaults, plus what it derives from this pipeline (e.g. an endpoint slug). */
  const addNode = (type: NodeType, position: { x: number; y: number }, connect?: NewNodeConnection) => {
    const config = newNodeConfig(type, {
      pipelineName: s.name,
      endpointSlugs: (endpoints.data ?? []).map((e) => e.slug),
      nodes: s.nodes.map((n) => n.data),
    });
    s.addNode(type, position, config, connect);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData(DRAG_MIME);
    if (!isNodeType(type)) return;
    addNode(type, screenToFlowPosition({ x: e.clientX - 100, y: e.clientY - 30 }));
  };

  // A clicked palette entry lands in view: near the canvas's centre, stepped so repeated clicks do not stack.
  const canvasRef = useRef<HTMLDivElement>(null);
  const addFromPalette = (type: QuickAddChoice) => {
    const r = canvasRef.current?.getBoundingClientRect();
    const step = ((s.nodes.length + s.notes.length) % 6) * 28;
    const at = r ? screenToFlowPosition({ x: r.left + r.width / 2 - 100 + step, y: r.top + r.height / 2 - 40 + step }) : { x: step, y: step };
    if (type === NOTE_ENTRY) s.addNote(at);
    else addNode(type, at);
  };

  /** The node chosen from the drop menu: placed at the drop point on the side its edge comes from, and connected. */
  const addFromDrop = (type: QuickAddChoice) => {
    if (!dropMenu || type === NOTE_ENTRY) return;
    const port = dropMenu.types.get(type);
    if (port === undefined) return;
    const { flow, from } = dropMenu;
    addNode(type, from.from === "source" ? { x: flow.x, y: flow.y - 30 } : { x: flow.x - 208, y: flow.y - 30 }, { ...from, port });
  };

  /**
   * A connection dropped on empty canvas offers the node types that can take it, at the drop
   * point; one dropped on an input that cannot take it says why instead of nothing happening.
   */
  const onConnectEnd: OnConnectEnd = (event, c) => {
    if (!c.fromNode || !c.fromHandle) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!c.toNode && target?.closest(".react-flow__pane") && canvasRef.current) {
      const point = "changedTouches" in event ? event.changedTouches[0]! : event;
      const r = canvasRef.current.getBoundingClientRect();
      const fromType = s.nodes.find((n) => n.id === c.fromNode!.id)?.data.type ?? "";
      const side = c.fromHandle.type;
      setDropMenu({
        // Kept inside the canvas: the menu is 320 px wide and up to about 270 px tall.
        at: { x: Math.max(8, Math.min(point.clientX - r.left, r.width - 328)), y: Math.max(8, Math.min(point.clientY - r.top, r.height - 280)) },
        flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        from: { node: c.fromNode.id, handle: c.fromHandle.id ?? "", from: side },
        types: reachableTypes(fromType, c.fromHandle.id ?? "", side),
      });
      return;
    }
    if (c.isValid !== false || !c.toNode || !c.toHandle) return;
    const [from, to] = c.fromHandle.type === "source" ? [c.fromNode, c.toNode] : [c.toNode, c.fromNode];
    const [out, inp] = c.fromHandle.type === "source" ? [c.fromHandle, c.toHandle] : [c.toHandle, c.fromHandle];
    const typeOf = (id: string) => s.nodes.find((n) => n.id === id)?.data.type ?? "";
    const why = connectionProblem(typeOf(from.id), out.id ?? "", typeOf(to.id), inp.id ?? "", from.id === to.id);
    if (why) setMessage({ kind: "error", text: `Not connected: ${why}` });
  };

  const isValidConnection: IsValidConnection = (c) => {
    if (c.source === c.target) return false;
    const src = s.nodes.find((n) => n.id === c.source);
    const dst = s.nodes.find((n) => n.id === c.target);
    return !!src && !!dst && portsCompatible(src.data.type, c.sourceHandle ?? "", dst.data.type, c.targetHandle ?? "");
  };

  const selected = s.nodes.find((n) => n.id === s.selectedId);
  const selectedColumns = useMemo(() => {
    if (!selected) return undefined;
    const edge = s.edges.find((e) => e.target === selected.id);
    return edge ? compiled.columns[edge.source]?.[edge.sourceHandle ?? ""] : undefined;
  }, [selected, s.edges, compiled.columns]);

  // Callbacks React Flow gets keep their identity across renders: it hands them to every node's
  // wrapper, and a new function would redraw all 1,000 of them on each keystroke.
  const { select, onNodesChange } = s;
  const onNodeClick = useCallback((_: unknown, n: { id: string }) => select(n.id), [select]);
  const onPaneClick = useCallback(() => select(null), [select]);
  const onNodesChangeReadOnly = useCallback<typeof onNodesChange>((changes) => onNodesChange(changes.filter((c) => c.type === "select" || c.type === "dimensions")), [onNodesChange]);
  const stableIsValidConnection = useLatest(isValidConnection);
  const stableOnConnectEnd = useLatest(onConnectEnd);

  const problems = runErrors ?? (showProblems ? compiled.errors : []);
  // Run waits until the pipeline compiles; the reason is on the button and beside it.
  const blocked = compiled.errors.length > 0;
  const blockedReason = `Fix ${compiled.errors.length === 1 ? "the problem" : `the ${compiled.errors.length} problems`} first`;
  /** Run and Recompute all: disabled with the reason while problems remain, a click then lists them. */
  const runButton = (ignoreCache: boolean, title: string) => ({
    onClick: () => {
      if (!blocked) return void onRun(ignoreCache);
      setRunErrors(null);
      setShowProblems(true);
    },
    disabled: start.isPending,
    "aria-disabled": blocked || undefined,
    "aria-describedby": blocked ? "run-blocked" : undefined,
    title: blocked ? blockedReason : title,
  });
  const showMiniMap = miniMap ?? flowNodes.length <= MINIMAP_NODES;

  // What React Flow draws (see DrawnNodes).
  const [drawn] = useState(() => new DrawnNodes());
  const drawnNodes = useMemo(() => drawn.of(flowNodes, decorations, s.notes), [flowNodes, decorations, s.notes, drawn]);
  // Compared with a saved version: what it had and the canvas no longer has, drawn faded in place.
  const ghosts = useMemo(() => (compared && changes ? ghostsOf(compared, changes, s.edges) : null), [compared, changes, s.edges]);
  const canvasNodes = useMemo(() => (ghosts?.nodes.length ? [...drawnNodes, ...ghosts.nodes] : drawnNodes), [drawnNodes, ghosts]);
  const canvasEdges = useMemo(() => (ghosts?.edges.length ? [...s.edges, ...ghosts.edges] : s.edges), [s.edges, ghosts]);
  // Ghosts are inert (not selectable, draggable or deletable): the only changes React Flow makes to
  // them are measurements, which the store's handlers pass over for ids the pipeline does not have.
  const configs = useMemo(() => new Map(flowNodes.map((n) => [n.id, n.data.config])), [flowNodes]);
  const configStore = useNodeValueStore(configs);
  const { setNoteText } = s;

  const focusNode = (id: string) => canvasRef.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.focus();
  /**
   * The keyboard on a focused node: arrows move the focus to the nearest node that way (Shift with
   * an arrow is left to React Flow, which moves the node), Enter opens its settings, Delete removes it.
   */
  const onCanvasKeyDown = (e: ReactKeyboardEvent) => {
    const el = e.target as HTMLElement;
    const id = el.classList.contains("react-flow__node") ? el.dataset.id : undefined;
    if (!id || e.ctrlKey || e.metaKey || e.altKey) return;
    const all = [...s.nodes, ...s.notes];
    const centre = (n: (typeof all)[number]) => ({ id: n.id, x: n.position.x + (n.measured?.width ?? 208) / 2, y: n.position.y + (n.measured?.height ?? 96) / 2 });
    const dir = ARROWS[e.key];
    if (dir && !e.shiftKey) {
      const me = all.find((n) => n.id === id);
      const next = me && nearestInDirection(centre(me), all.filter((n) => n.id !== id).map(centre), dir);
      if (next) focusNode(next);
    } else if (e.key === "Enter" && !e.shiftKey) {
      s.onNodesChange(all.filter((n) => n.selected || n.id === id).map((n) => ({ type: "select", id: n.id, selected: n.id === id })));
      s.select(id);
      // Into the settings (Escape there comes back to the node), or a note's text.
      if (s.nodes.some((n) => n.id === id)) requestAnimationFrame(() => inspectorRef.current?.focus());
      else el.querySelector("textarea")?.focus();
    } else if ((e.key === "Delete" || e.key === "Backspace") && can.edit) {
      const me = all.find((n) => n.id === id);
      const others = all.filter((n) => n.id !== id);
      const next = me && others.length ? (nearestInDirection(centre(me), others.map(centre), { x: 1, y: 0 }) ?? nearestInDirection(centre(me), others.map(centre), { x: -1, y: 0 }) ?? others[0]!.id) : undefined;
      // With other nodes selected too, React Flow removes the whole selection.
      if (me?.selected && all.some((n) => n.selected && n.id !== id)) return;
      s.onNodesChange([{ type: "remove", id }]);
      if (next) requestAnimationFrame(() => focusNode(next));
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };
  const inspectorRef = useRef<HTMLElement>(null);
  const noteEditing = useMemo(() => ({ readOnly: !can.edit, setText: setNoteText }), [can.edit, setNoteText]);

  if (pipeline.isError) return <p className="p-6 text-red-700">{pipeline.error.message}</p>;
  // Mounted once the pipeline is here: fitting the view is for a pipeline that has nodes, so the
  // first node dropped on an empty canvas stays where it was dropped.
  if (!pipeline.data) return <p className="p-6 text-sm text-slate-500">Loading…</p>;

  return (
    <div className="flex h-full flex-col">
      {/* Wraps onto a second line rather than pushing Run off the screen on narrow windows. */}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-white px-3 py-2">
        <input
          aria-label="Pipeline name"
          readOnly={!can.edit}
          value={s.name}
          onChange={(e) => s.setName(e.target.value)}
          className="w-60 min-w-0 rounded border border-transparent px-2 py-1 font-medium hover:border-slate-200 focus:border-sky-500 focus:outline-none"
        />
        <span className="text-xs text-slate-500">
          {can.edit && (versions.data?.length ?? 0) > 1 ? (
            <select
              aria-label="Versions"
              className="rounded border border-transparent bg-transparent hover:border-slate-200"
              value=""
              onChange={(e) => e.target.value && void onRestore(Number(e.target.value))}
            >
              <option value="">v{pipeline.data?.latestVersion ?? "…"} · versions…</option>
              {versions.data!.map((v) => (
                <option key={v.version} value={v.version}>
                  restore {versionText(v)} · {new Date(v.createdAt).toLocaleString()} · {v.nodes} nodes
                </option>
              ))}
            </select>
          ) : (
            <>v{pipeline.data?.latestVersion ?? "…"}</>
          )}
          {(versions.data?.length ?? 0) > 1 && (
            <select
              aria-label="Compare with"
              className="ml-1 rounded border border-transparent bg-transparent hover:border-slate-200"
              value={compared?.version ?? ""}
              onChange={(e) => (e.target.value ? void onCompare(Number(e.target.value)) : setCompared(null))}
            >
              <option value="">compare…</option>
              {versions.data!.map((v) => (
                <option key={v.version} value={v.version}>
                  compare with {versionText(v)}
                </option>
              ))}
            </select>
          )}
          {can.edit && latestVersion && <NameVersion key={`${latestVersion.version}:${latestVersion.label ?? ""}`} pipelineId={pipelineId} version={latestVersion.version} label={latestVersion.label} />}
          {s.dirty ? " · unsaved changes" : ""}
        </span>
        {compiled.errors.length ? (
          <button
            type="button"
            data-testid="compile-status"
            title="Show every problem"
            onClick={() => {
              setShowProblems(!showProblems);
              setRunErrors(null);
            }}
            className="rounded text-xs text-red-600 underline decoration-dotted hover:bg-red-50"
          >
            {`${compiled.errors.length} problem${compiled.errors.length > 1 ? "s" : ""}`}
          </button>
        ) : (
          <span data-testid="compile-status" className="whitespace-nowrap text-xs text-emerald-700">
            ready to run
          </span>
        )}
        {message && (
          <span role="status" className={`text-xs ${message.kind === "ok" ? "text-emerald-700" : "text-red-600"}`}>
            {message.text}
          </span>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <a href={`/runs?pipeline=${pipelineId}`} className="rounded px-3 py-1 text-sm text-slate-600 hover:bg-slate-100">
            Runs
          </a>
          {!can.edit && !can.run && <span className="self-center text-xs text-slate-500">read-only: you are a viewer of this workspace</span>}
          {can.edit && (
            <>
              <button type="button" onClick={s.undo} disabled={!s.past.length} title="Undo (Ctrl+Z)" className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 disabled:opacity-40">
                Undo
              </button>
              <button type="button" onClick={s.redo} disabled={!s.future.length} title="Redo (Ctrl+Shift+Z)" className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 disabled:opacity-40">
                Redo
              </button>
              <button type="button" onClick={() => addFromPalette(NOTE_ENTRY)} title="Add a sticky note (it never runs)" className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
                Note
              </button>
              <button type="button" onClick={onTidy} disabled={!s.nodes.length} title="Lay the pipeline out left to right" className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 disabled:opacity-40">
                Tidy
              </button>
              <select
                aria-label="Export"
                value=""
                onChange={(e) => e.target.value && void onExport(e.target.value)}
                className="rounded bg-transparent px-1 py-1 text-sm text-slate-600 hover:bg-slate-100"
              >
                <option value="">Export…</option>
                <option value="json">JSON file</option>
                <option value="yaml">YAML file</option>
                <option value="png">PNG image</option>
                <option value="svg">SVG image</option>
              </select>
              <label title="Replace the canvas with a pipeline file" className="cursor-pointer rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
                Import
                <input
                  type="file"
                  accept=".json,.yaml,.yml,application/json,application/yaml"
                  aria-label="Import a pipeline file"
                  className="sr-only"
                  onChange={(e) => {
                    void onImport(e.target.files?.[0]);
                    e.target.value = "";
                  }}
                />
              </label>
            </>
          )}
          {can.edit && (
            <button type="button" onClick={() => void onSave()} disabled={save.isPending} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
              {save.isPending ? "Saving…" : "Save"}
            </button>
          )}
          <ParametersPanel readOnly={!can.edit} datasets={datasets.data ?? []} errors={compiled.errors} />
          <Schedules
            pipelineId={pipelineId}
            canRun={can.run}
            datasetNames={[...new Set((datasets.data ?? []).map((d) => d.name))].sort()}
            datasetParameters={s.parameters.filter((p) => p.type === "dataset").map((p) => p.name)}
          />
          {can.run && (
            <>
              {/* While problems remain, Run is disabled and says why; a click on it lists them (aria-disabled, not disabled, so that it still can). */}
              <button
                type="button"
                {...runButton(false, "Nodes whose settings and inputs did not change since an earlier run reuse its output")}
                className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:bg-slate-400 aria-disabled:hover:bg-slate-400"
              >
                {start.isPending ? "Starting…" : "Run"}
              </button>
              <button
                type="button"
                {...runButton(true, "Run every node again, reusing nothing from earlier runs")}
                className="rounded border border-slate-300 px-2 py-1 text-xs text-slate-600 hover:bg-slate-50 aria-disabled:cursor-not-allowed aria-disabled:text-slate-400"
              >
                Recompute all
              </button>
              {blocked && (
                <span id="run-blocked" data-testid="run-blocked" className="text-xs text-slate-500">
                  {blockedReason}
                </span>
              )}
            </>
          )}
        </div>
      </div>
      {launch && (
        <LaunchForm
          parameters={s.parameters}
          datasets={datasets.data ?? []}
          serverProblems={launch.problems}
          busy={start.isPending}
          onCancel={() => setLaunch(null)}
          onLaunch={(values) => void onRun(launch.ignoreCache, values)}
        />
      )}
      {draft && !s.dirty && (
        <div role="alert" aria-label="Unsaved draft" className="flex items-center gap-3 border-b border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
          Unsaved edits from {new Date(draft.savedAt).toLocaleString()} were kept in this browser{draft.base ? ` (started from version ${draft.base})` : ""}.
          <button type="button" onClick={restoreDraft} className="rounded border border-sky-300 bg-white px-2 py-0.5 hover:bg-sky-100">
            Restore them
          </button>
          <button type="button" onClick={discardDraft} className="rounded px-2 py-0.5 hover:bg-sky-100">
            Discard
          </button>
        </div>
      )}
      {conflict !== null && (
        <div role="alert" aria-label="Save conflict" className="flex items-center gap-3 border-b border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Version {conflict} was saved in another tab (or by someone else) while you edited. Nothing was overwritten.
          <button type="button" onClick={() => void onSave(true)} className="rounded border border-amber-300 bg-white px-2 py-0.5 hover:bg-amber-100">
            Save mine as version {conflict + 1}
          </button>
          <button type="button" onClick={takeTheirs} className="rounded px-2 py-0.5 hover:bg-amber-100">
            Discard mine, open version {conflict}
          </button>
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        {can.edit && <Palette onAdd={addFromPalette} />}
        <div ref={canvasRef} className="relative min-w-0 flex-1" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} onKeyDownCapture={onCanvasKeyDown} data-testid="canvas">
          {quickAdd && <QuickAdd onAdd={addFromPalette} onClose={() => setQuickAdd(false)} />}
          {dropMenu && (
            <QuickAdd label="Connect a new node" only={[...dropMenu.types.keys()]} at={dropMenu.at} onAdd={addFromDrop} onClose={() => setDropMenu(null)} />
          )}
          <NodeConfigs.Provider value={configStore}>
          <NodeDecorations.Provider value={decorationStore}>
          <ParameterDefaults.Provider value={parameterDefaults}>
          <NoteEditing.Provider value={noteEditing}>
            <ReactFlow<CanvasNode>
              nodes={canvasNodes}
              edges={canvasEdges}
              nodeTypes={canvasNodeTypes}
              onNodesChange={can.edit ? s.onNodesChange : onNodesChangeReadOnly}
              onEdgesChange={can.edit ? s.onEdgesChange : undefined}
              onConnect={can.edit ? s.onConnect : undefined}
              nodesDraggable={can.edit}
              nodesConnectable={can.edit}
              edgesReconnectable={can.edit}
              // Edges stay out of the Tab order (they come before the nodes in the page, and a
              // large pipeline has more edges than nodes); from the keyboard, a node's settings
              // list its connections. A click still selects an edge, and Delete removes it.
              edgesFocusable={false}
              isValidConnection={stableIsValidConnection}
              onConnectEnd={can.edit ? stableOnConnectEnd : undefined}
              onNodeClick={onNodeClick}
              onPaneClick={onPaneClick}
              deleteKeyCode={can.edit ? DELETE_KEYS : null}
              snapToGrid
              snapGrid={SNAP_GRID}
              fitView={pipeline.data.nodes.length > 0}
              fitViewOptions={FIT_VIEW}
              minZoom={0.2}
              proOptions={PRO_OPTIONS}
              ariaLabelConfig={ariaLabelConfig}
              colorMode={theme}
            >
              <Background gap={16} />
              <Controls>
                <ControlButton
                  onClick={() => setMiniMap(!showMiniMap)}
                  title={showMiniMap ? "Hide the minimap" : "Show the minimap"}
                  aria-label={showMiniMap ? "Hide the minimap" : "Show the minimap"}
                  aria-pressed={showMiniMap}
                >
                  ▣
                </ControlButton>
              </Controls>
              {showMiniMap && <MiniMap pannable zoomable className="!bg-white" />}
            </ReactFlow>
          </NoteEditing.Provider>
          </ParameterDefaults.Provider>
          </NodeDecorations.Provider>
          </NodeConfigs.Provider>
          {changes && compared && (
            <div role="region" aria-label="Changes" className="absolute right-3 top-3 z-10 max-h-72 w-80 overflow-y-auto rounded border border-slate-200 bg-white p-3 text-xs shadow">
              <div className="mb-1 flex justify-between font-medium">
                Changes since version {compared.version}
                <button type="button" aria-label="Close the comparison" onClick={() => setCompared(null)} className="text-slate-400 hover:text-slate-700">
                  ✕
                </button>
              </div>
              <ul className="space-y-0.5">
                {changes.renamed && <li>renamed from “{changes.renamed.from}”</li>}
                {changes.added.map((id) => (
                  <li key={`a-${id}`} className="text-emerald-700">+ {id}</li>
                ))}
                {changes.removed.map((n) => (
                  <li key={`r-${n.id}`} className="text-red-700">− {n.id} ({n.type})</li>
                ))}
                {changes.changed.map((c) => (
                  <li key={`c-${c.id}`} className="text-amber-700">~ {c.id}: {c.fields.join(", ")}</li>
                ))}
                {changes.edgesAdded.map((e) => (
                  <li key={`ea-${e}`} className="font-mono text-emerald-700">+ {e}</li>
                ))}
                {changes.edgesRemoved.map((e) => (
                  <li key={`er-${e}`} className="font-mono text-red-700">− {e}</li>
                ))}
                {changes.parameters.length > 0 && <li className="text-amber-700">~ parameters: {changes.parameters.join(", ")}</li>}
                {changes.notes.length > 0 && <li className="text-amber-700">~ notes: {changes.notes.join(", ")}</li>}
                {changes.moved.length > 0 && <li className="text-slate-500">moved: {changes.moved.join(", ")}</li>}
                {!changes.renamed && !changes.parameters.length && !changes.notes.length && !changes.added.length && !changes.removed.length && !changes.changed.length && !changes.edgesAdded.length && !changes.edgesRemoved.length && (
                  <li className="text-slate-500">no changes{changes.moved.length ? " but positions" : ""}</li>
                )}
              </ul>
            </div>
          )}
          {problems.length > 0 && (
            <div role="alert" aria-label="Problems" className="absolute bottom-3 left-3 max-h-48 max-w-xl overflow-y-auto rounded border border-red-200 bg-white p-3 text-xs shadow">
              <div className="mb-1 flex justify-between font-medium text-red-700">
                Fix these before running
                <button type="button" onClick={() => {
                    setRunErrors(null);
                    setShowProblems(false);
                  }} className="text-slate-400 hover:text-slate-700">
                  ✕
                </button>
              </div>
              <ul>
                {problems.map((e, i) => (
                  <li key={i}>
                    <button
                      type="button"
                      className="text-left hover:underline"
                      onClick={() => {
                        if (!e.nodeId) return;
                        s.select(e.nodeId);
                        void fitView({ nodes: [{ id: e.nodeId }], maxZoom: 1, duration: 200 });
                      }}
                    >
                      <span className="font-mono">{e.nodeId ?? "pipeline"}</span> · {e.path}: {e.message}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        {selected && (
          <Inspector
            key={selected.id}
            nodeId={selected.id}
            type={selected.data.type}
            config={selected.data.config}
            errors={decorations[selected.id]?.errors ?? []}
            columns={selectedColumns}
            datasets={datasets.data ?? []}
            parameters={s.parameters}
            onChange={(patch) => s.updateNodeConfig(selected.id, patch)}
            lastOutputs={last.data?.nodes[selected.id]?.outputs}
            lastRun={
              last.data?.nodes[selected.id]
                ? {
                    runId: last.data.runId,
                    version: last.data.version,
                    inputs: s.edges
                      .filter((e) => e.target === selected.id && last.data!.nodes[e.source])
                      .map((e) => ({ port: e.targetHandle ?? "", node: e.source, sourcePort: e.sourceHandle ?? "" })),
                  }
                : undefined
            }
            onDelete={() => s.onNodesChange([{ type: "remove", id: selected.id }])}
            connections={connectionsOf(selected.id, s.nodes, s.edges)}
            onDisconnect={(id) => s.onEdgesChange([{ type: "remove", id }])}
            onGoTo={(id) => {
              s.select(id);
              requestAnimationFrame(() => focusNode(id));
            }}
            ref={inspectorRef}
            onEscape={() => focusNode(selected.id)}
            readOnly={!can.edit}
            secrets={(secrets.data ?? []).map((x) => x.name)}
            describeQuery={(c) => describeQuery.mutateAsync({ connectionSecret: String(c.connectionSecret ?? ""), query: String(c.query ?? "") })}
          />
        )}
      </div>
    </div>
  );
}

/** The canvas of one pipeline. Mount it keyed by the pipeline id: its store belongs to that pipeline. */
export function Editor({ pipelineId, can }: { pipelineId: string; can: EditorPermissions }) {
  return (
    <EditorStoreProvider>
      <ReactFlowProvider>
        <EditorCanvas pipelineId={pipelineId} can={can} />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}
