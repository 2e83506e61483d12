/**
 * What changed between two versions of a pipeline, node by node and edge by edge: what the
 * canvas highlights when a user compares versions. Pure.
 */
import type { PipelineDocument } from "./document";

export interface PipelineDiff {
  renamed: { from: string; to: string } | null;
  added: string[];
  removed: { id: string; type: string }[];
  /** Nodes whose type or settings differ, with the settings that do. */
  changed: { id: string; fields: string[] }[];
  moved: string[];
  edgesAdded: string[];
  edgesRemoved: string[];
  /** Parameters declared, removed or changed (type, default, range, …), by name. */
  parameters: string[];
  /** Sticky notes added, removed or rewritten (not moved or resized), by id. */
  notes: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const edgeLabel = (e: PipelineDocument["edges"][number]) => `${e.source}.${e.sourceHandle} → ${e.target}.${e.targetHandle}`;

/** The changes that turn `before` into `after`. */
type Drawn = Pick<PipelineDocument, "name" | "nodes" | "edges" | "parameters" | "notes">;
export function diffPipelines(before: Drawn, after: Drawn): PipelineDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const changed: PipelineDiff["changed"] = [];
  const moved: string[] = [];
  for (const n of after.nodes) {
    const o = old.get(n.id);
    if (!o) continue;
    if (o.type !== n.type) changed.push({ id: n.id, fields: ["type"] });
    else {
      const keys = [...new Set([...Object.keys(o.config ?? {}), ...Object.keys(n.config ?? {})])].sort();
      const fields = keys.filter((k) => !same(o.config?.[k], n.config?.[k]));
      if (fields.length) changed.push({ id: n.id, fields });
    }
    if (o.position.x !== n.position.x || o.position.y !== n.position.y) moved.push(n.id);
  }
  const oldEdges = new Set(before.edges.map(edgeLabel));
  const newEdges = new Set(after.edges.map(edgeLabel));
  return {
    renamed: before.name === after.name ? null : { from: before.name, to: after.name },
    added: after.nodes.filter((n) => !old.has(n.id)).map((n) => n.id),
    removed: before.nodes.filter((n) => !now.has(n.id)).map((n) => ({ id: n.id, type: n.type })),
    changed,
    moved,
    edgesAdded: [...newEdges].filter((e) => !oldEdges.has(e)),
    edgesRemoved: [...oldEdges].filter((e) => !newEdges.has(e)),
    parameters: [...new Set([...(before.parameters ?? []), ...(after.parameters ?? [])].map((p) => p.name))].filter(
      (name) => !same(before.parameters?.find((p) => p.name === name), after.parameters?.find((p) => p.name === name)),
    ),
    notes: [...new Set([...(before.notes ?? []), ...(after.notes ?? [])].map((n) => n.id))].filter(
      (id) => before.notes?.find((n) => n.id === id)?.text !== after.notes?.find((n) => n.id === id)?.text,
    ),
  };
}

/** One setting across several versions of pipelines: its value in each (undefined: the node is not there). */
export interface SettingRow {
  nodeId: string;
  type: string;
  field: string;
  values: (unknown | undefined)[];
  differs: boolean;
}

/**
 * The settings of several pipeline versions side by side, node by node and field by field (nodes
 * matched by id): what a comparison of runs shows as their parameters. Rows keep the first
 * version's node order, then nodes only later ones have.
 */
export function compareSettings(docs: Pick<PipelineDocument, "nodes">[]): SettingRow[] {
  const order: { id: string; type: string }[] = [];
  for (const d of docs) for (const n of d.nodes) if (!order.some((o) => o.id === n.id)) order.push({ id: n.id, type: n.type });
  const rows: SettingRow[] = [];
  for (const { id, type } of order) {
    const nodes = docs.map((d) => d.nodes.find((n) => n.id === id));
    const fields = [...new Set(nodes.flatMap((n) => Object.keys(n?.config ?? {})))].sort();
    const present = nodes.map((n) => (n ? true : undefined));
    rows.push({ nodeId: id, type, field: "", values: present, differs: present.some((p) => !p) || nodes.some((n) => n && n.type !== type) });
    for (const field of fields) {
      const values = nodes.map((n) => (n ? n.config?.[field] : undefined));
      rows.push({ nodeId: id, type, field, values, differs: values.some((v) => !same(v, values[0])) });
    }
  }
  return rows;
}
