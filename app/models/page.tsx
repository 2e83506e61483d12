import Link from "next/link";
import { db } from "~/db/client";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { pageAccess } from "~/server/auth/pages";
import { listModels } from "~/server/models/service";

export const dynamic = "force-dynamic";

export default async function ModelsPage() {
  const { workspaceId } = await pageAccess("read", "/models");
  const models = await listModels(db(), workspaceId);
  return (
    <Page title="Models">
      {models.length === 0 ? (
        <Empty>No models yet. Every run of a pipeline that trains registers a version here.</Empty>
      ) : (
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Model</th>
              <th>Task</th>
              <th>Versions</th>
              <th>Aliases</th>
              <th>Last trained</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link className="font-mono text-sky-700 hover:underline" href={`/models/${encodeURIComponent(m.name)}`}>
                    {m.name}
                  </Link>
                </td>
                <td>{m.task}</td>
                <td>{m.versions} (latest v{m.latestVersion})</td>
                <td className="text-xs">
                  {Object.entries(m.aliases)
                    .map(([a, v]) => `${a} → v${v}`)
                    .join(", ") || "–"}
                </td>
                <td className="text-xs">{m.updatedAt.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
