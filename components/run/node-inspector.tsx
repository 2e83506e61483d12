"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { getSpec } from "~/workflows/nodes/registry";
import { statusStyle } from "../canvas/stage-style";
import { useTRPC } from "../trpc";

const fmt = (n: number | undefined) => (n === undefined ? "–" : Math.abs(n) >= 1e5 || (Math.abs(n) < 1e-3 && n !== 0) ? n.toExponential(2) : String(Math.round(n * 1000) / 1000));

/** A column's distribution in a few pixels: histogram bars for numbers, top values for text. */
function Distribution({ s }: { s: { histogram?: number[]; top?: { value: string; count: number }[]; min?: number; max?: number } }) {
  if (s.histogram) {
    const peak = Math.max(1, ...s.histogram);
    return (
      <div className="flex items-end gap-px" style={{ height: 22 }} title={`${fmt(s.min)} … ${fmt(s.max)}`} aria-label={`histogram from ${fmt(s.min)} to ${fmt(s.max)}`}>
        {s.histogram.map((n, i) => (
          <div key={i} className="w-1.5 bg-sky-500" style={{ height: `${Math.max(n ? 8 : 0, (100 * n) / peak)}%` }} />
        ))}
      </div>
    );
  }
  return <div className="truncate text-[10px] text-slate-600">{(s.top ?? []).map((t) => `${t.value} (${t.count})`).join(", ")}</div>;
}

/**
 * A node of a run, opened from the run page: settings, inputs, and each output — a dataset's
 * schema with statistics and distributions, its first rows and a download; a model's task,
 * target and features; metrics. For members only (a shared report has none of this).
 */
export function NodeInspector({ runId, nodeId, canRun, onSelect, onClose }: { runId: string; nodeId: string; canRun: boolean; onSelect: (id: string) => void; onClose: () => void }) {
  const trpc = useTRPC();
  const q = useNodeQuery(runId, nodeId);
  const running = !q.data || ["queued", "running"].includes(q.data.status);
  const log = useQuery({ ...trpc.run.log.queryOptions({ id: runId, nodeId }), refetchInterval: running ? 1000 : false });
  const [forgotten, setForgotten] = useState<number | null>(null);
  const forget = useMutation(trpc.run.forgetCache.mutationOptions({ onSuccess: (r) => setForgotten(r.forgotten) }));
  const d = q.data;
  return (
    <section className="space-y-3 rounded border border-slate-200 bg-white p-2 text-xs" data-testid="node-inspector" aria-label={`Node ${nodeId}`}>
      <div className="flex items-center gap-2">
        <h2 className="font-semibold">
          {getSpec(d?.type ?? "")?.label ?? d?.type ?? "Node"} · <span className="font-mono">{nodeId}</span>
        </h2>
        {d && <span className={`rounded px-1.5 py-0.5 ${statusStyle[d.status] ?? ""}`}>{d.status}</span>}
        <button type="button" className="ml-auto text-slate-500 hover:text-slate-800" onClick={onClose} aria-label="Close the node">
          ✕
        </button>
      </div>
      {q.isError && <p className="text-red-700">{q.error.message}</p>}
      {!d && !q.isError && <p className="text-slate-500">Loading…</p>}
      {d && (
        <>
          {d.error && <p className="rounded bg-red-50 p-1 text-red-800">{d.error}</p>}
          {d.cache && (
            <div className="flex flex-wrap items-center gap-2" data-testid="node-cache">
              <span className={d.cache.reusedFrom ? "text-emerald-700" : "text-slate-600"}>{d.cache.reusedFrom ? `Reused from run ${d.cache.reusedFrom.runId.slice(0, 8)}` : `Ran: ${d.cache.reason}`}</span>
              {canRun && (
                <button type="button" className="text-sky-700 hover:underline" onClick={() => forget.mutate({ id: runId, nodeId })}>
                  Forget cached output
                </button>
              )}
              {forgotten !== null && <span role="status">{forgotten ? "forgotten: the next run computes it again" : "nothing was cached"}</span>}
            </div>
          )}
          <div>
            <h3 className="mb-1 font-medium text-slate-500">Settings</h3>
            {Object.keys(d.config).length === 0 ? (
              <p className="text-slate-400">defaults</p>
            ) : (
              <dl className="grid grid-cols-[auto_1fr] gap-x-2 font-mono">
                {Object.entries(d.config).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-slate-500">{k}</dt>
                    <dd className="break-all">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </div>
          <div>
            <h3 className="mb-1 font-medium text-slate-500">Log</h3>
            {(log.data?.lines ?? []).length === 0 ? (
              <p className="text-slate-400">{running ? "Nothing yet." : "No lines."}</p>
            ) : (
              <ol className="max-h-48 space-y-0.5 overflow-auto font-mono text-[10px]" data-testid="node-log">
                {log.data!.lines.map((l) => (
                  <li key={l.id} className={l.level === "error" ? "text-red-700" : l.level === "warn" ? "text-amber-700" : "text-slate-700"}>
                    <span className="text-slate-400">{new Date(l.at).toLocaleTimeString()} #{l.attempt} </span>
                    {l.message}
                    {l.fields && <span className="text-slate-500"> {Object.entries(l.fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}</span>}
                  </li>
                ))}
              </ol>
            )}
          </div>
          {d.inputs.length > 0 && (
            <div>
              <h3 className="mb-1 font-medium text-slate-500">Inputs</h3>
              {d.inputs.map((i) => (
                <div key={i.port}>
                  {i.port} ←{" "}
                  <button type="button" className="font-mono text-sky-700 hover:underline" onClick={() => onSelect(i.from.node)}>
                    {i.from.node}.{i.from.port}
                  </button>
                </div>
              ))}
            </div>
          )}
          {d.outputs.map((o) => (
            <div key={o.port} data-testid={`output-${o.port}`}>
              <h3 className="mb-1 font-medium text-slate-500">Output · {o.port}</h3>
              {o.kind === "dataset" && <DatasetOutput runId={runId} nodeId={nodeId} output={o} />}
              {o.kind === "model" && (
                <p>
                  {o.task} of <span className="font-mono">{o.target}</span> from {o.features.length} features: <span className="font-mono">{o.features.join(", ")}</span>
                </p>
              )}
              {o.kind === "metrics" && (
                <dl className="grid grid-cols-[auto_1fr] gap-x-2 font-mono">
                  {Object.entries(o.values).map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="text-slate-500">{k}</dt>
                      <dd>{fmt(v)}</dd>
                    </div>
                  ))}
                </dl>
              )}
              {o.kind === "endpoint" && (
                <p>
                  /{o.slug} serving version {o.modelVersion}
                </p>
              )}
            </div>
          ))}
        </>
      )}
    </section>
  );
}

type NodeData = NonNullable<ReturnType<typeof useNodeQuery>["data"]>;
type DatasetOutputData = Extract<NodeData["outputs"][number], { kind: "dataset" }>;

function useNodeQuery(runId: string, nodeId: string) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.run.node.queryOptions({ id: runId, nodeId }), refetchInterval: (x) => (x.state.data && ["queued", "running"].includes(x.state.data.status) ? 2000 : false) });
}

/** A dataset a node produced: size, downloads, schema with statistics and distributions, first rows. */
function DatasetOutput({ runId, nodeId, output: o }: { runId: string; nodeId: string; output: DatasetOutputData }) {
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-2">
        <span>
          {o.rows.toLocaleString()} rows × {o.columns.length} columns
        </span>
        <a className="text-sky-700 hover:underline" href={`/api/v1/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/outputs/${encodeURIComponent(o.port)}?format=csv`} download>
          CSV
        </a>
        <a className="text-sky-700 hover:underline" href={`/api/v1/runs/${runId}/nodes/${encodeURIComponent(nodeId)}/outputs/${encodeURIComponent(o.port)}?format=parquet`} download>
          Parquet
        </a>
      </div>
      {o.unavailable && <p className="text-amber-700">{o.unavailable}</p>}
      <table className="w-full [&_td]:pr-2 [&_th]:pr-2" data-testid={`schema-${o.port}`}>
        <thead className="text-left text-slate-500">
          <tr>
            <th>Column</th>
            <th>Kind</th>
            <th title="Missing values">Missing</th>
            <th>Distinct</th>
            <th>Distribution</th>
          </tr>
        </thead>
        <tbody>
          {o.columns.map((c) => {
            const s = o.stats.find((x) => x.name === c.name);
            return (
              <tr key={c.name} className="border-t border-slate-100 align-middle">
                <td className="max-w-24 truncate font-mono" title={c.name}>
                  {c.name}
                </td>
                <td>
                  {c.kind ?? c.type}
                  {c.role && c.role !== "feature" ? ` · ${c.role}` : ""}
                </td>
                <td>{s ? s.missing.toLocaleString() : "–"}</td>
                <td>{s ? s.distinct.toLocaleString() : "–"}</td>
                <td className="w-28">{s && <Distribution s={s} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {o.preview && (
        <div className="max-h-64 overflow-auto rounded border border-slate-100">
          <table className="text-[10px]" data-testid={`rows-${o.port}`}>
            <thead className="sticky top-0 bg-slate-50 text-left text-slate-500">
              <tr>
                {o.columns.map((c) => (
                  <th key={c.name} className="px-1 font-mono">
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {o.preview.map((r, i) => (
                <tr key={i} className="border-t border-slate-100">
                  {r.map((v, j) => (
                    <td key={j} className="whitespace-nowrap px-1 font-mono">
                      {v === null ? <span className="text-slate-300">null</span> : String(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A node's dataset outputs in a run (one `port`, or all; the editor's data tab): each as `DatasetOutput`. */
export function NodeData({ runId, nodeId, port }: { runId: string; nodeId: string; port?: string }) {
  const q = useNodeQuery(runId, nodeId);
  if (q.isError) return <p className="text-red-700">{q.error.message}</p>;
  if (!q.data) return <p className="text-slate-500">Loading…</p>;
  const datasets = q.data.outputs.filter((o): o is DatasetOutputData => o.kind === "dataset" && (!port || o.port === port));
  if (!datasets.length) return <p className="text-slate-500">{q.data.error ?? `This node produced no table in that run (${q.data.status}).`}</p>;
  return (
    <>
      {datasets.map((o) => (
        <div key={o.port} data-testid={`data-${nodeId}-${o.port}`}>
          <h4 className="mb-1 font-medium text-slate-500">
            {nodeId}.{o.port}
          </h4>
          <DatasetOutput runId={runId} nodeId={nodeId} output={o} />
        </div>
      ))}
    </>
  );
}
