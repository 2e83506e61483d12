import Link from "next/link";
import { db } from "~/db/client";
import { pageAccess } from "~/server/auth/pages";
import { can } from "~/server/auth/policy";
import { NewPipelineButton } from "~/components/canvas/new-pipeline-button";
import { PipelineActions } from "~/components/canvas/pipeline-actions";
import { TemplateGallery } from "~/components/canvas/template-gallery";
import { Empty, Page, tableClass } from "~/components/ui/page";
import { listPipelines } from "~/server/pipelines/repository";

export const dynamic = "force-dynamic";

export default async function PipelinesPage() {
  const { workspaceId, principal, role } = await pageAccess("read", "/pipelines");
  const pipelines = await listPipelines(db(), workspaceId);
  const editor = can(principal, "edit", role);
  return (
    <Page title="Pipelines" actions={editor ? <NewPipelineButton /> : undefined}>
      {editor && <TemplateGallery />}
      {pipelines.length === 0 ? (
        <Empty>No pipelines yet.</Empty>
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
