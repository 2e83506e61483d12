"use client";

import { useMemo, useState, type Ref } from "react";
import { z } from "zod";
import type { ColumnSchema, GraphError, PipelineParameter } from "~/lib/pipeline/document";
import { isParameterRef } from "~/lib/pipeline/parameters";
import { hiddenFields, type VisibleWhen } from "~/lib/pipeline/visibility";
import type { Widget } from "~/workflows/nodes/define";
import { getSpec } from "~/workflows/nodes/registry";
import { NodeData } from "../run/node-inspector";

interface FieldSchema {
  type?: string;
  enum?: string[];
  title?: string;
  description?: string;
  widget?: Widget;
  /** For a column picker: the kinds of column it offers (every column when absent). */
  kinds?: string[];
  items?: { type?: string };
  /** For a `column-map`: the type (or choices) of each column's value. */
  additionalProperties?: { type?: string; enum?: string[] };
  minimum?: number;
  maximum?: number;
  default?: unknown;
  /** Shown only for some values of other fields (the others keep their value, out of sight). */
  visibleWhen?: VisibleWhen;
}

interface Props {
  nodeId: string;
  type: string;
  config: Record<string, unknown>;
  errors: GraphError[];
  columns: ColumnSchema[] | undefined;
  datasets: { id: string; name: string; rows: number; version?: number; versions?: number }[];
  onChange: (patch: Record<string, unknown>) => void;
  onDelete: () => void;
  /** Shown, not editable: the visitor may read this workspace but not edit it. */
  readOnly?: boolean;
  /** Names of the workspace's secrets, for a `secret` field. */
  secrets?: string[];
  /** What this node wrote in the pipeline's latest finished run, per dataset output. */
  lastOutputs?: Record<string, { rows: number; columns: ColumnSchema[] }>;
  /** The pipeline's run parameters, which a setting of a matching type may refer to. */
  parameters?: PipelineParameter[];
  /** Describes a query node's SELECT on the server: its columns, or an error naming the problem. */
  describeQuery?: (config: Record<string, unknown>) => Promise<ColumnSchema[]>;
  /** The panel, for the canvas to move the keyboard's focus into it. */
  ref?: Ref<HTMLElement>;
  /** Escape pressed in the panel: back to the node on the canvas. */
  onEscape?: () => void;
  /** The pipeline's latest finished run where this node ran, and where its inputs came from in it: the data tab. */
  lastRun?: { runId: string; version: number; inputs: { port: string; node: string; sourcePort: string }[] };
  /**
   * The node's edges, each from this node's side: its port, the node at the other end and that
   * node's port. The keyboard's way to edges (which are not in the Tab order: at 1,000 nodes a
   * visitor would tab through every edge before the first node).
   */
  connections?: Connection[];
  onDisconnect?: (edgeId: string) => void;
  onGoTo?: (nodeId: string) => void;
}

export interface Connection {
  edgeId: string;
  direction: "in" | "out";
  port: string;
  node: string;
  nodeLabel: string;
  nodePort: string;
}

/** The node's connections, with a way to the node at the other end and, when editing, to remove each. */
function Connections({ connections, readOnly, onDisconnect, onGoTo }: { connections: Connection[]; readOnly: boolean; onDisconnect?: (edgeId: string) => void; onGoTo?: (nodeId: string) => void }) {
  return (
    <section aria-label="Connections" data-testid="connections" className="mt-4 border-t border-slate-100 pt-3">
      <h3 className="mb-1 text-xs font-semibold text-slate-700">Connections</h3>
      {connections.length === 0 ? (
        <p className="text-[11px] text-slate-500">None yet: drag from a port on the canvas to another node&apos;s port.</p>
      ) : (
        <ul className="space-y-1 text-[11px]">
          {connections.map((c) => {
            const text = c.direction === "in" ? `${c.port} ← ${c.nodeLabel} (${c.node}) · ${c.nodePort}` : `${c.port} → ${c.nodeLabel} (${c.node}) · ${c.nodePort}`;
            return (
              <li key={c.edgeId} className="flex items-center gap-1">
                <button type="button" onClick={() => onGoTo?.(c.node)} className="min-w-0 flex-1 truncate rounded px-1 text-left text-slate-700 hover:bg-slate-100" title={`${text}: go to ${c.node}`}>
                  {text}
                </button>
                {!readOnly && onDisconnect && (
                  <button type="button" onClick={() => onDisconnect(c.edgeId)} aria-label={`Disconnect ${text}`} className="shrink-0 rounded px-1.5 text-red-600 hover:bg-red-50">
                    Disconnect
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** Whether a parameter's values fit a setting: the same kind of value (datasets for a dataset picker). */
function fits(f: FieldSchema, p: PipelineParameter) {
  if (f.widget === "dataset") return p.type === "dataset";
  if (f.widget === "secret" || f.widget === "query-columns" || f.widget === "column-map" || f.widget === "columns") return false;
  if (f.type === "integer") return p.type === "integer";
  if (f.type === "number") return p.type === "number" || p.type === "integer";
  if (f.type === "boolean") return p.type === "boolean";
  if (f.type === "string") return p.type === "string" && (!f.enum || (p.options ?? []).every((o) => f.enum!.includes(o)));
  return false;
}

const inputClass =
  "w-full rounded border border-slate-300 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none disabled:cursor-not-allowed disabled:border-slate-200 disabled:bg-slate-50 disabled:text-slate-500";

/** A form generated from the node spec's zod schema (via JSON Schema); widgets come from `.meta()`. */
export function Inspector({ nodeId, type, config, errors, columns, datasets, onChange, onDelete, readOnly = false, secrets = [], describeQuery, lastOutputs, parameters = [], ref, onEscape, lastRun, connections, onDisconnect, onGoTo }: Props) {
  const [tab, setTab] = useState<"settings" | "data">("settings");
  const spec = getSpec(type);
  const allFields = useMemo(() => {
    if (!spec) return {};
    const schema = z.toJSONSchema(spec.config, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, FieldSchema> };
    return schema.properties ?? {};
  }, [spec]);
  // Settings that do not apply to the choices made (a classifier's class weights for a regressor).
  const hidden = useMemo(() => hiddenFields(allFields, config), [allFields, config]);
  const fields = Object.entries(allFields).filter(([name]) => !hidden.has(name));
  if (!spec) return null;

  const errorsFor = (field: string) => errors.filter((e) => e.path === `config.${field}` || e.path.startsWith(`config.${field}.`));
  const general = errors.filter((e) => !e.path.startsWith("config."));

  return (
    <aside
      ref={ref}
      tabIndex={-1}
      className={`${tab === "data" ? "w-[34rem]" : "w-72"} shrink-0 overflow-y-auto border-l border-slate-200 bg-white p-3 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500`}
      aria-label="Inspector"
      data-testid="inspector"
      onKeyDown={(e) => {
        if (e.key === "Escape" && onEscape) {
          e.preventDefault();
          onEscape();
        }
      }}
    >
      <div className="mb-1 flex items-center justify-between">
        <h2 className="text-sm font-semibold">{spec.label}</h2>
        {!readOnly && (
          <button type="button" onClick={onDelete} className="rounded px-2 py-0.5 text-xs text-red-600 hover:bg-red-50">
            Delete
          </button>
        )}
      </div>
      <p className="mb-3 text-xs text-slate-500">{spec.description}</p>
      <p className="mb-3 font-mono text-[11px] text-slate-400">id: {nodeId}</p>
      {lastRun && (
        <div role="tablist" aria-label="Inspector views" className="mb-3 flex gap-1 border-b border-slate-200 text-xs">
          {(["settings", "data"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              onClick={() => setTab(t)}
              className={`-mb-px border-b-2 px-2 py-1 ${tab === t ? "border-sky-600 font-medium text-sky-800" : "border-transparent text-slate-500 hover:text-slate-800"}`}
            >
              {t === "settings" ? "Settings" : "Data"}
            </button>
          ))}
        </div>
      )}
      {lastRun && tab === "data" ? (
        <section aria-label="Data of the last run" data-testid="data-tab" className="space-y-3 text-xs">
          <p className="text-[11px] text-slate-500">
            As the latest finished run (v{lastRun.version}, run{" "}
            <a className="font-mono text-sky-700 hover:underline" href={`/runs/${lastRun.runId}`}>
              {lastRun.runId.slice(0, 8)}
            </a>
            ) read and wrote them: a sample of rows and statistics per column.
          </p>
          {lastRun.inputs.map((i) => (
            <div key={i.port} data-testid={`data-input-${i.port}`}>
              <h3 className="mb-1 font-semibold text-slate-700">
                Input · {i.port} ← <span className="font-mono">{i.node}</span>
              </h3>
              <NodeData runId={lastRun.runId} nodeId={i.node} port={i.sourcePort} />
            </div>
          ))}
          <div data-testid="data-output">
            <h3 className="mb-1 font-semibold text-slate-700">Output</h3>
            <NodeData runId={lastRun.runId} nodeId={nodeId} />
          </div>
        </section>
      ) : (
        <>
      {general.map((e, i) => (
        <p key={i} className="mb-2 rounded bg-red-50 px-2 py-1 text-xs text-red-700">
          {e.message}
        </p>
      ))}
      {fields.length === 0 && <p className="text-xs text-slate-500">No settings.</p>}
      <fieldset disabled={readOnly} className="min-w-0">
      {fields.map(([name, f]) => {
        // Show the default where the stored config leaves a field out (it is what will run).
        const value = config[name] ?? f.default;
        const fieldErrors = errorsFor(name);
        const id = `field-${nodeId}-${name}`;
        const offered = parameters.filter((p) => fits(f, p));
        const ref = isParameterRef(config[name]) ? config[name] : undefined;
        let control;
        if (ref) {
          const p = parameters.find((q) => q.name === ref.$param);
          control = (
            <div className="flex items-center gap-1" data-testid={`param-ref-${name}`}>
              <select id={id} className={`${inputClass} font-mono`} value={ref.$param} onChange={(e) => onChange({ [name]: { $param: e.target.value } })}>
                {!p && <option value={ref.$param}>{ref.$param} (not declared)</option>}
                {offered.map((q) => (
                  <option key={q.name} value={q.name}>
                    parameter {q.name}
                  </option>
                ))}
              </select>
              <button
                type="button"
                title="Use a fixed value instead (the parameter's default)"
                className="shrink-0 rounded px-1 text-xs text-slate-500 hover:bg-slate-100"
                onClick={() => onChange({ [name]: p && fits(f, p) ? p.default : f.default })}
              >
                unlink
              </button>
            </div>
          );
        } else if (f.widget === "dataset") {
          control = (
            <select id={id} className={inputClass} value={String(value ?? "")} onChange={(e) => onChange({ [name]: e.target.value })}>
              <option value="">Choose a dataset…</option>
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.versions && d.versions > 1 ? ` v${d.version}${d.version === d.versions ? " (latest)" : ""}` : ""} ({d.rows} rows)
                </option>
              ))}
            </select>
          );
        } else if (f.widget === "secret") {
          control = (
            <select id={id} className={inputClass} value={String(value ?? "")} onChange={(e) => onChange({ [name]: e.target.value })}>
              <option value="">Choose a secret…</option>
              {!!value && !secrets.includes(String(value)) && <option value={String(value)}>{String(value)} (missing)</option>}
              {secrets.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          );
        } else if (f.widget === "sql") {
          control = <textarea id={id} rows={6} spellCheck={false} className={`${inputClass} font-mono text-xs`} value={String(value ?? "")} onChange={(e) => onChange({ [name]: e.target.value })} />;
        } else if (f.widget === "query-columns") {
          control = <QueryColumns id={id} value={Array.isArray(value) ? (value as ColumnSchema[]) : []} describe={describeQuery && (() => describeQuery(config))} onChange={(cols) => onChange({ [name]: cols })} />;
        } else if (f.widget === "column" && columns) {
          // A picker for dates offers dates, not every column.
          const offered = f.kinds ? columns.filter((c) => f.kinds!.includes(c.kind ?? (c.type === "number" ? "float" : c.type === "boolean" ? "boolean" : "categorical"))) : columns;
          // An empty choice means the default the field describes: for a target, the column the dataset marks.
          const marked = columns.find((c) => c.role === "target")?.name;
          const automatic = name === "target" ? (marked ? `the dataset's target: ${marked}` : "the dataset's target (none marked)") : "choose a column…";
          control = (
            <select id={id} className={inputClass} value={String(value ?? "")} onChange={(e) => onChange({ [name]: e.target.value })}>
              {f.default === "" && <option value="">{automatic}</option>}
              {typeof value === "string" && value !== "" && !offered.some((c) => c.name === value) && (
                <option value={value}>
                  {value} ({columns.some((c) => c.name === value) ? "not of a kind this field takes" : "not in input"})
                </option>
              )}
              {offered.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} · {c.kind ?? c.type}
                </option>
              ))}
            </select>
          );
        } else if (f.widget === "column-map") {
          control = (
            <ColumnMap
              id={id}
              columns={columns}
              value={value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {}}
              values={f.additionalProperties}
              onChange={(v) => onChange({ [name]: v })}
            />
          );
        } else if (f.widget === "columns" && columns) {
          const selected = new Set(Array.isArray(value) ? (value as string[]) : []);
          control = (
            <div className="max-h-36 overflow-y-auto rounded border border-slate-200 p-1" id={id}>
              {columns.map((c) => (
                <label key={c.name} className="flex items-center gap-2 px-1 text-xs">
                  <input
                    type="checkbox"
                    checked={selected.has(c.name)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(c.name);
                      else next.delete(c.name);
                      onChange({ [name]: columns.map((col) => col.name).filter((n) => next.has(n)) });
                    }}
                  />
                  <span className="font-mono">{c.name}</span>
                  <span className="text-slate-400">{c.kind ?? c.type}</span>
                </label>
              ))}
            </div>
          );
        } else if (f.enum) {
          control = (
            <select id={id} className={inputClass} value={String(value ?? "")} onChange={(e) => onChange({ [name]: e.target.value })}>
              {f.enum.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          );
        } else if (f.type === "boolean") {
          control = <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange({ [name]: e.target.checked })} />;
        } else if (f.type === "number" || f.type === "integer") {
          control = (
            <input
              id={id}
              type="number"
              className={inputClass}
              step={f.type === "integer" ? 1 : "any"}
              value={typeof value === "number" ? value : String(value ?? "")}
              // Keep what the user typed when it is not a number, so the compiler can name the field.
              onChange={(e) => onChange({ [name]: e.target.value === "" || Number.isNaN(e.target.valueAsNumber) ? e.target.value : e.target.valueAsNumber })}
            />
          );
        } else if (f.type === "array") {
          control = (
            <input
              id={id}
              className={inputClass}
              placeholder="comma-separated"
              value={Array.isArray(value) ? value.join(", ") : ""}
              onChange={(e) => onChange({ [name]: e.target.value.split(",").map((s) => s.trim()).filter(Boolean) })}
            />
          );
        } else {
          control = (
            <input
              id={id}
              className={`${inputClass} ${f.widget === "expression" ? "font-mono" : ""}`}
              value={String(value ?? "")}
              onChange={(e) => onChange({ [name]: e.target.value })}
            />
          );
        }
        return (
          <div key={name} className="mb-3">
            <div className="mb-1 flex items-center justify-between gap-2">
              <label htmlFor={id} className="block text-xs font-medium text-slate-700">
                {f.title ?? name}
              </label>
              {!ref && offered.length > 0 && (
                <select
                  aria-label={`Use a parameter for ${f.title ?? name}`}
                  className="max-w-[7rem] rounded bg-transparent text-[11px] text-sky-700 hover:bg-slate-50"
                  value=""
                  onChange={(e) => e.target.value && onChange({ [name]: { $param: e.target.value } })}
                >
                  <option value="">use parameter…</option>
                  {offered.map((q) => (
                    <option key={q.name} value={q.name}>
                      {q.name}
                    </option>
                  ))}
                </select>
              )}
            </div>
            {control}
            {f.description && <p className="mt-0.5 text-[11px] text-slate-400">{f.description}</p>}
            {fieldErrors.map((e, i) => (
              <p key={i} className="mt-0.5 text-[11px] text-red-600" data-testid={`field-error-${name}`}>
                {e.message}
              </p>
            ))}
          </div>
        );
      })}
      </fieldset>
      {hidden.size > 0 && (
        <p className="mb-3 text-[11px] text-slate-400" data-testid="hidden-settings">
          {hidden.size} setting{hidden.size > 1 ? "s" : ""} not shown: {hidden.size > 1 ? "they do" : "it does"} not apply to these choices (
          {[...hidden].map((n) => allFields[n]?.title ?? n).join(", ")})
        </p>
      )}
      {lastOutputs && Object.keys(lastOutputs).length > 0 && (
        <section aria-label="Last run output" className="mt-4 border-t border-slate-100 pt-3">
          <h3 className="mb-1 text-xs font-semibold text-slate-700">Output of the last run</h3>
          {Object.entries(lastOutputs).map(([port, o]) => (
            <div key={port} className="mb-2">
              <div className="text-[11px] text-slate-500">
                {port}: {o.rows.toLocaleString("en")} rows
              </div>
              <ul className="font-mono text-[11px]">
                {o.columns.map((c) => (
                  <li key={c.name} className="flex justify-between gap-2">
                    <span className="truncate">{c.name}</span>
                    <span className="text-slate-400">
                      {c.kind ?? c.type}
                      {c.nullable ? "?" : ""}
                      {c.role && c.role !== "feature" ? ` · ${c.role}` : ""}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
      {connections && <Connections connections={connections} readOnly={readOnly} onDisconnect={onDisconnect} onGoTo={onGoTo} />}
        </>
      )}
    </aside>
  );
}

/** A query node's columns, as Describe last found them; Describe asks the database again. */
function QueryColumns({ id, value, describe, onChange }: { id: string; value: ColumnSchema[]; describe?: () => Promise<ColumnSchema[]>; onChange: (cols: ColumnSchema[]) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div id={id}>
      <p className="mb-1 font-mono text-[11px] text-slate-600">{value.length ? value.map((c) => `${c.name}:${c.type}`).join(", ") : "not described yet"}</p>
      {describe && (
        <button
          type="button"
          disabled={busy}
          className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50"
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              onChange(await describe());
            } catch (e) {
              setError((e as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? "Describing…" : "Describe query"}
        </button>
      )}
      {error && <p className="mt-0.5 text-[11px] text-red-600">{error}</p>}
    </div>
  );
}

/** A per-column setting (a new name, a type, a strategy): one row per column, added and removed. */
function ColumnMap({
  id,
  columns,
  value,
  values,
  onChange,
}: {
  id: string;
  columns: ColumnSchema[] | undefined;
  value: Record<string, unknown>;
  values: FieldSchema["additionalProperties"];
  onChange: (v: Record<string, unknown>) => void;
}) {
  const entries = Object.entries(value);
  const free = (columns ?? []).filter((c) => !(c.name in value));
  const numeric = values?.type === "number" || values?.type === "integer";
  const blank = () => (values?.enum?.[0] ?? (numeric ? 0 : ""));
  const set = (col: string, v: unknown) => onChange({ ...value, [col]: v });
  const remove = (col: string) => onChange(Object.fromEntries(entries.filter(([k]) => k !== col)));
  return (
    <div id={id} className="space-y-1" data-testid="column-map">
      {entries.map(([col, v]) => (
        <div key={col} className="flex items-center gap-1">
          <span className="w-24 shrink-0 truncate font-mono text-xs" title={col}>
            {col}
          </span>
          {values?.enum ? (
            <select aria-label={`${col} value`} className={inputClass} value={String(v ?? "")} onChange={(e) => set(col, e.target.value)}>
              {values.enum.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <input
              aria-label={`${col} value`}
              className={inputClass}
              type={numeric ? "number" : "text"}
              value={String(v ?? "")}
              onChange={(e) => set(col, numeric && e.target.value !== "" && !Number.isNaN(e.target.valueAsNumber) ? e.target.valueAsNumber : e.target.value)}
            />
          )}
          <button type="button" aria-label={`remove ${col}`} className="rounded px-1 text-xs text-slate-500 hover:bg-slate-100" onClick={() => remove(col)}>
            ×
          </button>
        </div>
      ))}
      {free.length > 0 && (
        <select aria-label="add a column" className={`${inputClass} text-slate-500`} value="" onChange={(e) => e.target.value && set(e.target.value, blank())}>
          <option value="">+ column…</option>
          {free.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} · {c.kind ?? c.type}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
