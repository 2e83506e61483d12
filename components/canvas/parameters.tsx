"use client";

import { useState } from "react";
import { parameterTypes, valueProblem, type GraphError, type ParameterType, type PipelineParameter } from "~/lib/pipeline/document";
import { usePopover } from "./popover";
import { useEditor } from "./store";

type Value = PipelineParameter["default"];
interface DatasetChoice {
  id: string;
  name: string;
  rows: number;
  version?: number;
  versions?: number;
}

const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-xs focus:border-sky-500 focus:outline-none disabled:bg-slate-50";
const blank: Record<ParameterType, Value> = { number: 0, integer: 1, string: "", boolean: false, dataset: "" };

/** A value of a parameter's type: a number box, a checkbox, a choice of options or datasets, or text. */
function ValueInput({ p, value, onChange, datasets, label, disabled }: { p: PipelineParameter; value: Value; onChange: (v: Value) => void; datasets: DatasetChoice[]; label: string; disabled?: boolean }) {
  if (p.type === "boolean") return <input type="checkbox" aria-label={label} disabled={disabled} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  if (p.type === "dataset")
    return (
      <select aria-label={label} disabled={disabled} className={inputClass} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a dataset…</option>
        {typeof value === "string" && value && !datasets.some((d) => d.id === value) && <option value={value}>{value} (not in this workspace)</option>}
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
            {d.versions && d.versions > 1 ? ` v${d.version}${d.version === d.versions ? " (latest)" : ""}` : ""} ({d.rows.toLocaleString("en")} rows)
          </option>
        ))}
      </select>
    );
  if (p.type === "string" && p.options?.length)
    return (
      <select aria-label={label} disabled={disabled} className={inputClass} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {!p.options.includes(String(value)) && <option value={String(value)}>{String(value) || "—"}</option>}
        {p.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  if (p.type === "number" || p.type === "integer")
    return (
      <input
        type="number"
        aria-label={label}
        disabled={disabled}
        className={inputClass}
        step={p.type === "integer" ? 1 : "any"}
        min={p.min}
        max={p.max}
        value={typeof value === "number" ? value : String(value)}
        // Keep what was typed when it is not a number, so the problem can be named.
        onChange={(e) => onChange(Number.isNaN(e.target.valueAsNumber) ? e.target.value : e.target.valueAsNumber)}
      />
    );
  return <input aria-label={label} disabled={disabled} className={inputClass} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
}

const optional = (s: string) => (s.trim() === "" || Number.isNaN(Number(s)) ? undefined : Number(s));

/**
 * The pipeline's run parameters: declared here (name, type, default, range or options), referred to
 * from node settings in the inspector, chosen in the launch form when a run starts.
 */
export function ParametersPanel({ readOnly, datasets, errors }: { readOnly: boolean; datasets: DatasetChoice[]; errors: GraphError[] }) {
  const parameters = useEditor((s) => s.parameters);
  const setParameters = useEditor((s) => s.setParameters);
  const nodes = useEditor((s) => s.nodes);
  const { open, setOpen, ref } = usePopover<HTMLDivElement>();
  const update = (i: number, patch: Partial<PipelineParameter>) => {
    const before = parameters[i]!;
    const next = parameters.map((p, j) => (j === i ? ({ ...p, ...patch } as PipelineParameter) : p));
    setParameters(next, patch.name !== undefined && patch.name !== before.name ? { from: before.name, to: patch.name } : undefined);
  };
  const users = (name: string) => nodes.filter((n) => Object.values(n.data.config).some((v) => !!v && typeof v === "object" && (v as { $param?: string }).$param === name)).map((n) => n.id);
  const add = () => {
    let i = parameters.length + 1;
    while (parameters.some((p) => p.name === `param_${i}`)) i++;
    setParameters([...parameters, { name: `param_${i}`, type: "number", default: 0 }]);
  };
  const problems = errors.filter((e) => e.path.startsWith("parameters."));
  return (
    <div className="relative" ref={ref}>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="whitespace-nowrap rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
        Parameters{parameters.length ? ` (${parameters.length})` : ""}
        {problems.length > 0 && <span className="ml-1 text-red-600">!</span>}
      </button>
      {open && (
        <div role="dialog" aria-label="Parameters" className="absolute right-0 z-30 mt-1 w-[34rem] space-y-3 rounded border border-slate-200 bg-white p-3 text-sm shadow-lg">
          <p className="text-xs text-slate-600">
            Values chosen when a run starts (the launch form, or <code>parameters</code> in the REST API). A node setting refers to one from the inspector; schedules and triggers use the defaults.
          </p>
          {parameters.length === 0 && <p className="text-xs text-slate-500">No parameters.</p>}
          <fieldset disabled={readOnly} className="space-y-2">
            {parameters.map((p, i) => {
              const used = users(p.name);
              const own = problems.filter((e) => e.path === `parameters.${p.name}`);
              return (
                <div key={i} className="rounded border border-slate-200 p-2" data-testid={`parameter-${p.name}`}>
                  <div className="grid grid-cols-[1fr_6rem_1fr_auto] items-center gap-2">
                    <input
                      key={p.name}
                      aria-label="Parameter name"
                      className={`${inputClass} font-mono`}
                      defaultValue={p.name}
                      // Renamed when the field is left, so the settings that refer to it follow without passing through other names.
                      onBlur={(e) => {
                        const name = e.target.value.trim();
                        if (name === p.name) return;
                        if (parameters.some((q) => q.name === name)) {
                          window.alert(`There is already a parameter named ${name}.`);
                          e.target.value = p.name;
                        } else update(i, { name });
                      }}
                      onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
                    />
                    <select
                      aria-label={`Type of ${p.name}`}
                      className={inputClass}
                      value={p.type}
                      onChange={(e) => {
                        const type = e.target.value as ParameterType;
                        update(i, { type, default: blank[type], min: undefined, max: undefined, options: undefined });
                      }}
                    >
                      {parameterTypes.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                    <ValueInput p={p} value={p.default} datasets={datasets} label={`Default of ${p.name}`} onChange={(v) => update(i, { default: v })} />
                    <button
                      type="button"
                      aria-label={`Remove ${p.name}`}
                      title={used.length ? `used by ${used.join(", ")}` : "remove"}
                      className="rounded px-1 text-xs text-slate-500 hover:bg-slate-100"
                      onClick={() => (!used.length || window.confirm(`${p.name} is used by ${used.join(", ")}: remove it? Those settings will need a value.`)) && setParameters(parameters.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </div>
                  <div className="mt-1 grid grid-cols-[1fr_auto] gap-2">
                    <input aria-label={`Description of ${p.name}`} placeholder="description (shown in the launch form)" className={inputClass} value={p.description ?? ""} onChange={(e) => update(i, { description: e.target.value || undefined })} />
                    {(p.type === "number" || p.type === "integer") && (
                      <span className="flex gap-1">
                        <input aria-label={`Minimum of ${p.name}`} placeholder="min" className={`${inputClass} w-16`} defaultValue={p.min ?? ""} onBlur={(e) => update(i, { min: optional(e.target.value) })} />
                        <input aria-label={`Maximum of ${p.name}`} placeholder="max" className={`${inputClass} w-16`} defaultValue={p.max ?? ""} onBlur={(e) => update(i, { max: optional(e.target.value) })} />
                      </span>
                    )}
                    {p.type === "string" && (
                      <input
                        aria-label={`Options of ${p.name}`}
                        placeholder="options, comma-separated (any text when empty)"
                        className={`${inputClass} w-56`}
                        defaultValue={p.options?.join(", ") ?? ""}
                        onBlur={(e) => {
                          const options = e.target.value.split(",").map((o) => o.trim()).filter(Boolean);
                          update(i, { options: options.length ? options : undefined });
                        }}
                      />
                    )}
                  </div>
                  <p className="mt-1 text-[11px] text-slate-500">{used.length ? `used by ${used.join(", ")}` : "not used by any node yet: pick it in a node's setting"}</p>
                  {own.map((e, k) => (
                    <p key={k} className="text-[11px] text-red-600">
                      {e.message}
                    </p>
                  ))}
                </div>
              );
            })}
          </fieldset>
          {!readOnly && (
            <button type="button" onClick={add} className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50">
              + Add parameter
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * The launch form: each parameter with its default filled in, checked as it is typed; the server
 * checks again (and compiles the pipeline with the values) and its problems are shown per parameter.
 */
export function LaunchForm({
  parameters,
  datasets,
  serverProblems,
  busy,
  onLaunch,
  onCancel,
}: {
  parameters: PipelineParameter[];
  datasets: DatasetChoice[];
  serverProblems: GraphError[];
  busy: boolean;
  onLaunch: (values: Record<string, Value>) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Record<string, Value>>(() => Object.fromEntries(parameters.map((p) => [p.name, p.default])));
  const local = Object.fromEntries(parameters.map((p) => [p.name, valueProblem(p, values[p.name])]));
  const invalid = Object.values(local).some(Boolean);
  return (
    <div role="dialog" aria-label="Run with parameters" className="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/30">
      <form
        className="w-[28rem] space-y-3 rounded border border-slate-200 bg-white p-4 text-sm shadow-xl"
        onSubmit={(e) => {
          e.preventDefault();
          if (!invalid) onLaunch(values);
        }}
      >
        <h2 className="font-semibold">Run with parameters</h2>
        {parameters.map((p) => {
          const problem = local[p.name] ? `${p.name} ${local[p.name]}` : serverProblems.find((e) => e.path === `parameters.${p.name}` || e.message.includes(`parameter '${p.name}'`))?.message;
          return (
            <div key={p.name}>
              <label className="mb-0.5 block text-xs font-medium text-slate-700">
                <span className="font-mono">{p.name}</span> <span className="font-normal text-slate-400">{p.type}{p.min !== undefined || p.max !== undefined ? ` · ${p.min ?? "…"} to ${p.max ?? "…"}` : ""}</span>
              </label>
              <ValueInput p={p} value={values[p.name]!} datasets={datasets} label={p.name} onChange={(v) => setValues({ ...values, [p.name]: v })} />
              {p.description && <p className="mt-0.5 text-[11px] text-slate-500">{p.description}</p>}
              {problem && (
                <p className="mt-0.5 text-[11px] text-red-600" data-testid={`launch-error-${p.name}`}>
                  {problem}
                </p>
              )}
            </div>
          );
        })}
        {serverProblems
          .filter((e) => !parameters.some((p) => e.path === `parameters.${p.name}` || e.message.includes(`parameter '${p.name}'`)))
          .map((e, i) => (
            <p key={i} className="text-[11px] text-red-600">
              {e.nodeId ? `${e.nodeId}: ` : ""}
              {e.message}
            </p>
          ))}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={onCancel} className="rounded px-3 py-1 text-sm text-slate-600 hover:bg-slate-100">
            Cancel
          </button>
          <button type="submit" disabled={busy || invalid} className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-60">
            {busy ? "Starting…" : "Run"}
          </button>
        </div>
      </form>
    </div>
  );
}
