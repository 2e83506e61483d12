import Link from "next/link";
import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { headline } from "~/components/models/metrics";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { listEndpoints } from "~/server/endpoints/repository";

export const dynamic = "force-dynamic";

export default async function EndpointsPage() {
  const { workspaceId } = await pageAccess("read", "/endpoints");
  const endpoints = await listEndpoints(db(), workspaceId);
  return (
    <Page title="Endpoints">
      {endpoints.length === 0 ? (
        <Empty>No endpoints yet. A run with a Deploy endpoint node publishes one; any model version can be deployed from an endpoint&apos;s page or POST /api/v1/endpoints/&lt;slug&gt;/deploy.</Empty>
      ) : (
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Endpoint</th>
              <th>Access</th>
              <th>Model version</th>
              <th>Task</th>
              <th>Scores</th>
              <th>Monitored</th>
              <th>Latest run</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.slug}>
                <td>
                  <Link className="font-mono text-sky-700 hover:underline" href={`/endpoints/${e.slug}`}>
                    /api/v1/endpoints/{e.slug}/predict
                  </Link>
                </td>
                <td>{e.access}</td>
                <td>
                  v{e.modelVersion}
                  {e.traffic && e.traffic.length > 1 ? ` + ${e.traffic.length - 1} more (split)` : ""} · rev {e.revision}
                </td>
                <td>{e.task}</td>
                <td className="font-mono text-xs">
                  {headline(e.metrics) || "–"}
                </td>
                <td>{e.monitored ? "yes" : "no"}</td>
                <td>
                  {e.runId && (
                    <Link className="font-mono text-xs text-sky-700 hover:underline" href={`/runs/${e.runId}`}>
                      {e.runId.slice(0, 8)}
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
