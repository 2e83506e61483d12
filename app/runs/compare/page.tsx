import Link from "next/link";
import { db } from "~/db/client";
import { statusStyle } from "~/components/canvas/stage-style";
import { Page, tableClass } from "~/components/ui/page";
import { pageAccess } from "~/server/auth/pages";
import { isUuid } from "~/server/http/errors";
import { compareRuns } from "~/server/runs/compare";
import { DomainError } from "~/lib/errors";

export const dynamic = "force-dynamic";

/** The three tables share their columns: the label column, then one per run. */
const aligned = "table-fixed [&_td:first-child]:w-72 [&_th:first-child]:w-72";

/** A setting's value as text: JSON, shortened; a node a run's pipeline did not have, a dash. */
function shown(v: unknown) {
  if (v === undefined) return "–";
  if (v === true) return "✓";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Two to six runs side by side: parameters and settings (differences marked), metrics (best marked). */
export default async function CompareRunsPage({ searchParams }: { searchParams: Promise<{ id?: string | string[]; all?: string }> }) {
  const params = await searchParams;
  const ids = (Array.isArray(params.id) ? params.id : params.id ? [params.id] : []).filter(isUuid);
  const { workspaceId } = await pageAccess("read", "/runs/compare");
  let data: Awaited<ReturnType<typeof compareRuns>>;
  try {
    data = await compareRuns(db(), workspaceId, ids);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return (
      <Page title="Compare runs">
        <p role="alert" className="text-sm text-red-700">
          {e.message}. <Link className="text-sky-700 hover:underline" href="/runs">Back to the runs</Link>, tick two or more and press Compare selected.
        </p>
      </Page>
    );
  }
  const showAll = params.all === "1";
  const settings = showAll ? data.settings : data.settings.filter((s) => s.differs);
  const self = new URLSearchParams(ids.map((id) => ["id", id]));
  return (
    <Page title={`Compare ${data.runs.length} runs`}>
      <table className={`${aligned} ${tableClass}`} data-testid="compare-runs">
        <thead>
          <tr>
            <th />
            {data.runs.map((r) => (
              <th key={r.id}>
                <Link className="font-mono text-sky-700 hover:underline" href={`/runs/${r.id}`}>
                  {r.id.slice(0, 8)}
                </Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td className="text-xs text-slate-500">Pipeline</td>
            {data.runs.map((r) => (
              <td key={r.id}>
                {r.pipelineName} <span className="text-slate-400">v{r.pipelineVersion}</span>
              </td>
            ))}
          </tr>
          <tr>
            <td className="text-xs text-slate-500">Status</td>
            {data.runs.map((r) => (
              <td key={r.id}>
                <span className={`rounded px-1.5 py-0.5 text-xs ${statusStyle[r.status]}`}>{r.status}</span>
              </td>
            ))}
          </tr>
          <tr>
            <td className="text-xs text-slate-500">Started · took</td>
            {data.runs.map((r) => (
              <td key={r.id} className="text-xs">
                {r.createdAt.toLocaleString()} · {r.durationMs === null ? "–" : `${(r.durationMs / 1000).toFixed(1)} s`}
              </td>
            ))}
          </tr>
        </tbody>
      </table>

      <h2 className="mb-1 mt-5 text-sm font-semibold">Metrics</h2>
      {data.metrics.length === 0 ? (
        <p className="text-sm text-slate-500">None of these runs recorded metrics.</p>
      ) : (
        <table className={`${aligned} ${tableClass}`} data-testid="compare-metrics">
          <tbody>
            {data.metrics.map((m) => (
              <tr key={m.name}>
                <td className="text-xs text-slate-500">
                  {m.name} {m.better && <span className="text-slate-400">({m.better} is better)</span>}
                </td>
                {m.values.map((v, i) => (
                  <td key={i} className={`font-mono text-xs ${v !== undefined && v === m.best ? "font-bold text-emerald-700" : ""}`} data-best={v !== undefined && v === m.best ? "" : undefined}>
                    {v === undefined ? "–" : v.toFixed(4)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {data.parameters.length > 0 && (
        <>
          <h2 className="mb-1 mt-5 text-sm font-semibold">Parameters</h2>
          <table className={`${aligned} ${tableClass}`} data-testid="compare-parameters">
            <tbody>
              {data.parameters.map((p) => (
                <tr key={p.name} className={p.differs ? "bg-amber-50" : ""} data-differs={p.differs ? "" : undefined}>
                  <td className="font-mono text-xs">{p.name}</td>
                  {p.values.map((v, i) => (
                    <td key={i} className="font-mono text-xs">
                      {v === undefined ? "–" : shown(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2 className="mb-1 mt-5 flex items-center gap-3 text-sm font-semibold">
        Settings {showAll ? "" : "that differ"}
        <Link className="text-xs font-normal text-sky-700 hover:underline" href={`/runs/compare?${self.toString()}${showAll ? "" : "&all=1"}`}>
          {showAll ? "show only differences" : "show all settings"}
        </Link>
      </h2>
      {settings.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="compare-same">
          These runs ran the same settings.
        </p>
      ) : (
        <table className={`${aligned} ${tableClass}`} data-testid="compare-settings">
          <tbody>
            {settings.map((s) => (
              <tr key={`${s.nodeId}.${s.field}`} className={s.differs ? "bg-amber-50" : ""} data-differs={s.differs ? "" : undefined}>
                <td className="font-mono text-xs">
                  {s.nodeId}
                  {s.field ? `.${s.field}` : <span className="text-slate-400"> ({s.type})</span>}
                </td>
                {s.values.map((v, i) => (
                  <td key={i} className="font-mono text-xs">
                    {s.field ? shown(v) : v ? "present" : "not in this pipeline"}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
