import Link from "next/link";
import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { statusStyle } from "~/components/canvas/stage-style";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { listRuns } from "~/server/runs/service";
import { isUuid } from "~/server/http/errors";

export const dynamic = "force-dynamic";

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ pipeline?: string }> }) {
  const { pipeline } = await searchParams;
  const { workspaceId } = await pageAccess("read", "/runs");
  const runs = await listRuns(db(), workspaceId, { pipelineId: isUuid(pipeline) ? pipeline : undefined, limit: 100 });
  return (
    <Page title="Runs">
      {runs.length === 0 ? (
        <Empty>No runs yet. Open a pipeline and press Run.</Empty>
      ) : (
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Run</th>
              <th>Pipeline</th>
              <th>Status</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
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
                <td>{r.startedAt && r.finishedAt ? `${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s` : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
