import Link from "next/link";
import { db } from "~/db/client";
import { statusStyle } from "~/components/canvas/stage-style";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { pageAccess } from "~/server/auth/pages";
import { isUuid } from "~/server/http/errors";
import { listPipelines } from "~/server/pipelines/repository";
import { listRuns, type RunQuery } from "~/server/runs/service";
import { first, type SearchParams } from "~/lib/list-query";

export const dynamic = "force-dynamic";

type Params = SearchParams;
const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const inputClass = "rounded border border-slate-300 px-2 py-1 text-sm";

/** The page's query string, read leniently: what does not parse is left out (and the form shows it unset). */
function queryOf(p: Params): RunQuery {
  const date = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : undefined);
  const to = date(first(p.to));
  const status = first(p.status);
  return {
    pipelineId: isUuid(first(p.pipeline)) ? first(p.pipeline) : undefined,
    status: STATUSES.find((s) => s === status) ? [status as (typeof STATUSES)[number]] : undefined,
    from: date(first(p.from)),
    // "to" is inclusive: runs started on that day too.
    to: to ? new Date(to.getTime() + 86_400_000) : undefined,
    sort: first(p.sort)?.slice(0, 200) || "newest",
    order: first(p.order) === "lowest" ? "lowest" : "highest",
    page: Math.max(1, Math.min(100_000, Number.parseInt(first(p.page) ?? "1", 10) || 1)),
    pageSize: 50,
  };
}

const duration = (a: Date | null, b: Date | null) => (a && b ? `${((b.getTime() - a.getTime()) / 1000).toFixed(1)} s` : "–");

/** Every run of the workspace: filter by pipeline, status and date, sort by time or a metric, page through; pick runs to compare. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const { workspaceId } = await pageAccess("read", "/runs");
  const q = queryOf(params);
  const [list, pipelines] = await Promise.all([listRuns(db(), workspaceId, q), listPipelines(db(), workspaceId)]);
  const byMetric = q.sort !== "newest" && q.sort !== "oldest";
  const shown = byMetric ? [q.sort!, ...list.metricNames.filter((m) => m !== q.sort)].slice(0, 3) : list.metricNames.filter((m) => !m.startsWith("importance")).slice(0, 3);
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  const link = (page: number) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (typeof v === "string" && k !== "page") u.set(k, v);
    u.set("page", String(page));
    return `/runs?${u.toString()}`;
  };
  return (
    <Page title="Runs">
      <form method="get" className="mb-3 flex flex-wrap items-end gap-2 text-sm" aria-label="Filter runs">
        <label className="flex flex-col text-xs text-slate-500">
          Pipeline
          <select name="pipeline" defaultValue={q.pipelineId ?? ""} className={inputClass}>
            <option value="">all</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Status
          <select name="status" defaultValue={q.status?.[0] ?? ""} className={inputClass}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          From
          <input type="date" name="from" defaultValue={first(params.from) ?? ""} className={inputClass} />
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          To
          <input type="date" name="to" defaultValue={first(params.to) ?? ""} className={inputClass} />
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Sort by
          <select name="sort" defaultValue={q.sort} className={inputClass}>
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
            {list.metricNames.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-slate-500">
          Metric order
          <select name="order" defaultValue={q.order} className={inputClass}>
            <option value="highest">highest first</option>
            <option value="lowest">lowest first (errors)</option>
          </select>
        </label>
        <button type="submit" className="rounded bg-sky-600 px-3 py-1 text-white hover:bg-sky-700">
          Apply
        </button>
        <Link href="/runs" className="px-2 py-1 text-xs text-slate-500 hover:underline">
          Clear
        </Link>
      </form>
      {list.total === 0 ? (
        <Empty>{Object.keys(params).length ? "No run matches these filters." : "No runs yet. Open a pipeline and press Run."}</Empty>
      ) : (
        <form method="get" action="/runs/compare">
          <div className="mb-2 flex items-center gap-3 text-xs text-slate-500">
            <span data-testid="runs-total">
              {list.total.toLocaleString()} run{list.total === 1 ? "" : "s"} · page {list.page} of {pages}
            </span>
            <button type="submit" className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-50">
              Compare selected
            </button>
          </div>
          <table className={tableClass} data-testid="runs">
            <thead>
              <tr>
                <th aria-label="Select" />
                <th>Run</th>
                <th>Pipeline</th>
                <th>Status</th>
                <th>Started</th>
                <th>Duration</th>
                {shown.map((m) => (
                  <th key={m}>{m}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <input type="checkbox" name="id" value={r.id} aria-label={`Compare run ${r.id.slice(0, 8)}`} />
                  </td>
                  <td>
                    <Link className="font-mono text-xs text-sky-700 hover:underline" href={`/runs/${r.id}`}>
                      {r.id.slice(0, 8)}
                    </Link>
                  </td>
                  <td>
                    {r.pipelineName} <span className="text-slate-400">v{r.pipelineVersion}</span>
                  </td>
                  <td>
                    <span className={`rounded px-1.5 py-0.5 text-xs ${statusStyle[r.status]}`}>{r.status}</span>
                  </td>
                  <td>{r.createdAt.toLocaleString()}</td>
                  <td>{duration(r.startedAt, r.finishedAt)}</td>
                  {shown.map((m) => (
                    <td key={m} className="font-mono text-xs">
                      {r.metrics?.[m] === undefined ? "–" : r.metrics[m].toFixed(4)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 && (
            <nav className="mt-2 flex gap-3 text-sm" aria-label="Pages">
              {list.page > 1 && <Link href={link(list.page - 1)}>← Previous</Link>}
              {list.page < pages && <Link href={link(list.page + 1)}>Next →</Link>}
            </nav>
          )}
        </form>
      )}
    </Page>
  );
}
