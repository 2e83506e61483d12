import Link from "next/link";
import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";
import { NewPipelineButton } from "~/components/canvas/new-pipeline-button";
import { PipelineActions } from "~/components/canvas/pipeline-actions";
import { TemplateGallery } from "~/components/canvas/template-gallery";
import { ListControls } from "~/components/ui/list-controls";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { listQueryOf, searchAndSort, type SearchParams } from "~/lib/list-query";
import { listPipelines } from "~/server/pipelines/repository";

const SORTS = { updated: "last updated", name: "name" } as const;

export const dynamic = "force-dynamic";

export default async function PipelinesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { workspaceId, principal, role } = await pageAccess("read", "/pipelines");
  const all = await listPipelines(db(), workspaceId);
  const query = listQueryOf(await searchParams, ["updated", "name"] as const);
  const pipelines = searchAndSort(all, query, { updated: (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime(), name: () => 0 });
  const editor = can(principal, "edit", role);
  return (
    <Page title="Pipelines" actions={editor ? <NewPipelineButton /> : undefined}>
      {editor && <TemplateGallery />}
      {all.length > 0 && <ListControls label="pipelines" query={query} sorts={SORTS} />}
      {all.length === 0 ? (
        <Empty>No pipelines yet.</Empty>
      ) : pipelines.length === 0 ? (
        <Empty>No pipeline name contains “{query.q}”.</Empty>
      ) : (
        <table className={tableClass}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Version</th>
              <th>Updated</th>
              {editor && <th />}
            </tr>
          </thead>
          <tbody>
            {pipelines.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link className="text-sky-700 hover:underline" href={`/pipelines/${p.id}`}>
                    {p.name}
                  </Link>
                </td>
                <td>v{p.latestVersion}</td>
                <td>{p.updatedAt.toLocaleString()}</td>
                {editor && (
                  <td>
                    <PipelineActions id={p.id} name={p.name} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
